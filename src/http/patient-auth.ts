import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { errors } from '../errors.ts';
import type { Actor } from '../features/audit/audit.ts';
import { findPatientSession, type PatientSession } from '../features/patient-auth/patient-sessions.ts';
import { hmac, safeEqual } from '../features/auth/tokens.ts';
import { cookieSettings } from './staff-auth.ts';

declare module 'fastify' {
  interface FastifyRequest {
    patient?: PatientSession;
  }
}

/** Patients get a cookie of their own, so one browser can hold a staff and a patient session apart. */
export function patientCookie(ctx: AppContext) {
  const staff = cookieSettings(ctx);
  return { name: staff.name.replace('staff', 'patient'), options: staff.options };
}

export const patientCsrfTokenFor = (ctx: AppContext, sessionId: string) => hmac(ctx.config.sessionSecret, `patient-csrf:${sessionId}`);

export function requirePatient(ctx: AppContext) {
  const cookie = patientCookie(ctx);
  return async function (request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const token = request.cookies[cookie.name];
    if (!token) throw errors.unauthenticated();
    const found = await findPatientSession(ctx.db, token, ctx.clock.now(), ctx.sessionPolicy);
    if (found.status !== 'valid') {
      void reply.clearCookie(cookie.name, { path: '/' });
      throw found.status === 'expired' ? errors.sessionExpired() : errors.unauthenticated();
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      const sent = request.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !safeEqual(sent, patientCsrfTokenFor(ctx, found.session.id))) throw errors.csrf();
    }
    request.patient = found.session;
  };
}

export function patientActor(request: FastifyRequest): Actor {
  if (!request.patient) throw errors.unauthenticated();
  return { type: 'patient', id: request.patient.accountId, ip: request.ip };
}
