import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import { AppError, errors } from '../../errors.ts';
import type { StaffSession } from '../auth/staff-sessions.ts';
import { countHit } from '../rate-limits/counters.repository.ts';
import { verifyAccessToken } from './access-tokens.ts';
import { findActiveIntegration, grantedClinics } from './integrations.repository.ts';
import { scopeForRoute } from './route-scopes.ts';

export interface IntegrationPrincipal {
  id: string;
  name: string;
  scopes: string[];
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set when the request came with a bearer token of an integration. */
    integration?: IntegrationPrincipal;
  }
}

const insufficientScope = (scope: string) =>
  new AppError(403, 'insufficient_scope', {
    da: `Systemadgangen mangler scope ${scope}.`,
    en: `The integration lacks the scope ${scope}.`,
  });

const notForIntegrations = () =>
  new AppError(403, 'insufficient_scope', {
    da: 'Denne funktion er ikke åben for systemadgang.',
    en: 'This route is not open to integrations.',
  });

export function bearerTokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header || !/^bearer /i.test(header)) return undefined;
  return header.slice('bearer '.length).trim();
}

function invalidToken(reply: FastifyReply): AppError {
  // RFC 6750 §3: a 401 names the scheme and the error.
  void reply.header('WWW-Authenticate', 'Bearer error="invalid_token"');
  return new AppError(401, 'invalid_token', {
    da: 'Adgangstoken er ugyldig, udløbet eller tilbagekaldt.',
    en: 'The access token is invalid, expired or revoked.',
  });
}

/**
 * A bearer request authenticates as the integration: the token's scopes and clinics, narrowed to
 * what the integration row grants now (so a revocation or a removed grant applies on the next
 * request), the route's scope, and a per-integration rate limit. The result is shaped as a staff
 * session of role 'staff' in the granted clinics, so `requireClinicRole` scopes both the same way.
 */
export async function authenticateBearer(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, token: string): Promise<StaffSession> {
  const claims = await verifyAccessToken(ctx, token);
  if (!claims) throw invalidToken(reply);
  const integration = await findActiveIntegration(ctx.db, claims.integrationId);
  if (!integration) throw invalidToken(reply);
  const needed = scopeForRoute(request.method, request.routeOptions.url);
  if (!needed) throw notForIntegrations();
  const scopes = claims.scopes.filter((s) => integration.scopes.includes(s));
  if (!scopes.includes(needed)) {
    void reply.header('WWW-Authenticate', `Bearer error="insufficient_scope", scope="${needed}"`);
    throw insufficientScope(needed);
  }
  const now = ctx.clock.now();
  const { hits, windowEndsAt } = await countHit(ctx.db, `integration:${integration.id}`, now, 60_000);
  if (hits > integration.rate_limit_per_minute) {
    void reply.header('Retry-After', String(Math.max(1, Math.ceil((windowEndsAt.getTime() - now.getTime()) / 1000))));
    throw errors.tooManyRequests();
  }
  const clinics = (await grantedClinics(ctx.db, integration.id)).filter((c) => claims.clinicIds.includes(c.id));
  // The handler checks the clinic again (requireClinicRole); checking here too refuses a foreign
  // clinic before the body is read.
  const clinicId = (request.params as Record<string, unknown> | undefined)?.clinicId;
  if (typeof clinicId === 'string' && !clinics.some((c) => c.id === clinicId)) throw errors.forbidden();
  request.integration = { id: integration.id, name: integration.name, scopes };
  return {
    id: `integration:${integration.id}`,
    userId: integration.id,
    name: integration.name,
    email: '',
    isSupport: false,
    activeClinicId: clinics[0]?.id ?? null,
    clinics: clinics.map((c) => ({ id: c.id, name: c.name, role: 'staff' as const })),
  };
}
