import { decodeJwt, importJWK, jwtVerify, type JWK } from 'jose';
import type { AppContext } from '../../context.ts';
import { hashToken } from '../auth/tokens.ts';
import { ACCESS_TOKEN_SECONDS, issueAccessToken } from './access-tokens.ts';
import { ASSERTION_ALGORITHMS } from './integrations.ts';
import { findActiveIntegration, findBySecret, grantedClinics, markTokenIssued, useJti, type IntegrationRow } from './integrations.repository.ts';

export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** A client assertion may live at most this long (SMART Backend Services uses 5 minutes). */
const MAX_ASSERTION_SECONDS = 300;

/** An error of RFC 6749 §5.2, answered as `{ error, error_description }`. */
export class OAuthError extends Error {
  constructor(
    readonly status: 400 | 401,
    readonly error: 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'invalid_scope' | 'unsupported_grant_type',
    readonly description: string,
    /** The client tried HTTP Basic: a 401 then names the scheme (RFC 6749 §5.2). */
    readonly basic = false,
  ) {
    super(description);
  }
}

export interface TokenRequest {
  authorization: string | undefined;
  form: Record<string, string | undefined>;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

export const tokenEndpointUrl = (ctx: AppContext) => `${ctx.config.publicUrl}/oauth/token`;

function basicCredentials(authorization: string): { clientId: string; secret: string } {
  const encoded = authorization.slice('basic '.length).trim();
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new OAuthError(401, 'invalid_client', 'Malformed HTTP Basic credentials.', true);
  try {
    // RFC 6749 §2.3.1: both parts are form-urlencoded before being joined.
    return {
      clientId: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')),
      secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')),
    };
  } catch {
    throw new OAuthError(401, 'invalid_client', 'Malformed HTTP Basic credentials.', true);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function bySecret(ctx: AppContext, authorization: string): Promise<IntegrationRow> {
  const { clientId, secret } = basicCredentials(authorization);
  const found = UUID.test(clientId) ? await findBySecret(ctx.db, clientId.toLowerCase(), hashToken(secret), ctx.clock.now()) : undefined;
  if (!found) throw new OAuthError(401, 'invalid_client', 'Unknown client or wrong secret.', true);
  return found;
}

/** RFC 7523 §3: iss = sub = client_id, aud = this token endpoint, exp in the near future, a jti used once. */
async function byAssertion(ctx: AppContext, assertion: string): Promise<IntegrationRow> {
  const refuse = (why: string) => new OAuthError(401, 'invalid_client', why);
  let clientId: unknown;
  try {
    clientId = decodeJwt(assertion).iss;
  } catch {
    throw refuse('The client assertion is not a JWT.');
  }
  if (typeof clientId !== 'string' || !UUID.test(clientId)) throw refuse('Unknown client.');
  const integration = await findActiveIntegration(ctx.db, clientId.toLowerCase());
  if (!integration?.public_jwk) throw refuse('Unknown client, or no public key registered.');
  const now = ctx.clock.now();
  let payload;
  try {
    const jwk = integration.public_jwk as JWK;
    const key = await importJWK(jwk, jwk.alg);
    ({ payload } = await jwtVerify(assertion, key, {
      algorithms: ASSERTION_ALGORITHMS,
      issuer: clientId,
      subject: clientId,
      audience: tokenEndpointUrl(ctx),
      currentDate: now,
      requiredClaims: ['exp', 'jti'],
    }));
  } catch {
    throw refuse('The client assertion is invalid or expired.');
  }
  const exp = payload.exp ?? 0;
  if (exp - now.getTime() / 1000 > MAX_ASSERTION_SECONDS) throw refuse(`The client assertion must expire within ${MAX_ASSERTION_SECONDS} seconds.`);
  if (typeof payload.jti !== 'string' || !payload.jti || payload.jti.length > 200) throw refuse('The client assertion needs a jti.');
  if (!(await useJti(ctx.db, integration.id, payload.jti, new Date(exp * 1000), now))) throw refuse('The client assertion was used before (jti).');
  return integration;
}

/** The client credentials grant (RFC 6749 §4.4) with client_secret_basic or private_key_jwt. */
export async function grantToken(ctx: AppContext, request: TokenRequest): Promise<TokenResponse> {
  const { form, authorization } = request;
  const usesBasic = authorization?.toLowerCase().startsWith('basic ') ?? false;
  const usesAssertion = form.client_assertion !== undefined || form.client_assertion_type !== undefined;
  if (usesBasic && usesAssertion) throw new OAuthError(400, 'invalid_request', 'Use one client authentication method.');
  if (form.grant_type !== 'client_credentials') {
    if (!form.grant_type) throw new OAuthError(400, 'invalid_request', 'grant_type is required.');
    throw new OAuthError(400, 'unsupported_grant_type', 'Only client_credentials is supported.');
  }
  let integration: IntegrationRow;
  if (usesBasic && authorization) integration = await bySecret(ctx, authorization);
  else if (usesAssertion) {
    if (form.client_assertion_type !== JWT_BEARER_ASSERTION || !form.client_assertion) {
      throw new OAuthError(401, 'invalid_client', `client_assertion_type must be ${JWT_BEARER_ASSERTION}, with a client_assertion.`);
    }
    integration = await byAssertion(ctx, form.client_assertion);
  } else {
    throw new OAuthError(401, 'invalid_client', 'Authenticate with HTTP Basic (client_secret_basic) or a client assertion (private_key_jwt).', true);
  }
  const requested = form.scope?.split(' ').filter(Boolean);
  const scopes = requested?.length ? [...new Set(requested)] : integration.scopes;
  const notGranted = scopes.filter((s) => !integration.scopes.includes(s));
  if (notGranted.length) throw new OAuthError(400, 'invalid_scope', `Not granted to this client: ${notGranted.join(' ')}`);
  const clinics = await grantedClinics(ctx.db, integration.id);
  const token = await issueAccessToken(ctx, { integrationId: integration.id, scopes, clinicIds: clinics.map((c) => c.id) });
  await markTokenIssued(ctx.db, integration.id, ctx.clock.now());
  return { access_token: token, token_type: 'Bearer', expires_in: ACCESS_TOKEN_SECONDS, scope: scopes.join(' ') };
}
