import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import type { StaffRole } from '../db/schema.ts';
import { errors } from '../errors.ts';
import { findStaffSession, type StaffSession } from '../features/auth/staff-sessions.ts';
import { hmac, safeEqual } from '../features/auth/tokens.ts';
import type { Actor } from '../features/audit/audit.ts';
import { authenticateBearer, bearerTokenOf } from '../features/integrations/bearer.ts';

declare module 'fastify' {
  interface FastifyRequest {
    staff?: StaffSession;
  }
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function cookieSettings(ctx: AppContext) {
  const url = new URL(ctx.config.publicUrl);
  // Browsers refuse Secure cookies on plain http; only loopback development gets to skip it.
  const plainLocalhost = url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  return {
    name: plainLocalhost ? 'pp_staff_session' : '__Host-pp_staff_session',
    options: { httpOnly: true, secure: !plainLocalhost, sameSite: 'lax' as const, path: '/' },
  };
}

/** The CSRF token is bound to the session, so it needs no storage and dies with the session. */
export const csrfTokenFor = (ctx: AppContext, sessionId: string) => hmac(ctx.config.sessionSecret, `csrf:${sessionId}`);

/**
 * onRequest hook of every staff route: session from the cookie, checked per request; CSRF on state
 * changes. It runs before the body is read, so an unauthenticated upload is refused unread.
 */
export function requireStaff(ctx: AppContext) {
  const cookie = cookieSettings(ctx);
  return async function (request: FastifyRequest, reply: FastifyReply): Promise<void> {
    // A clinic system's bearer token: cookies are ignored and no CSRF applies (no browser sends it by itself).
    const bearer = bearerTokenOf(request);
    if (bearer !== undefined) {
      request.staff = await authenticateBearer(ctx, request, reply, bearer);
      return;
    }
    const token = request.cookies[cookie.name];
    if (!token) throw errors.unauthenticated();
    const found = await findStaffSession(ctx.db, token, ctx.clock.now(), ctx.sessionPolicy);
    if (found.status !== 'valid') {
      void reply.clearCookie(cookie.name, { path: '/' });
      throw found.status === 'expired' ? errors.sessionExpired() : errors.unauthenticated();
    }
    if (UNSAFE_METHODS.has(request.method)) {
      const sent = request.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !safeEqual(sent, csrfTokenFor(ctx, found.session.id))) throw errors.csrf();
    }
    request.staff = found.session;
  };
}

export function staffOf(request: FastifyRequest): StaffSession {
  if (!request.staff) throw errors.unauthenticated();
  return request.staff;
}

/**
 * The clinic scope check. A clinic the caller does not work for answers 403 whatever it holds;
 * records inside it are then looked up with the clinic id in the WHERE clause.
 */
export function requireClinicRole(session: StaffSession, clinicId: string, role: StaffRole = 'staff'): void {
  const membership = session.clinics.find((c) => c.id === clinicId);
  if (!membership) throw errors.forbidden();
  if (role === 'admin' && membership.role !== 'admin') throw errors.forbidden();
}

export function requireSupport(session: StaffSession): void {
  if (!session.isSupport) throw errors.forbidden();
}

export function staffActor(request: FastifyRequest): Actor {
  const session = staffOf(request);
  if (request.integration) return { type: 'integration', id: request.integration.id, ip: request.ip };
  return { type: session.isSupport ? 'support' : 'staff', id: session.userId, ip: request.ip };
}
