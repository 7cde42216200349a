import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import type { AppContext } from '../../context.ts';
import { errors } from '../../errors.ts';
import { cookieSettings, csrfTokenFor, requireStaff, staffActor, staffOf } from '../../http/staff-auth.ts';
import { audit } from '../audit/audit.ts';
import { setStaffPasswordWithToken } from '../staff/staff-accounts.ts';
import { checkStaffPassword } from './staff-login.ts';
import { FailureThrottle } from '../patient-auth/failure-throttle.ts';
import { createStaffSession, deleteStaffSession, findStaffSession, firstClinicOf, switchSessionClinic, type StaffSession } from './staff-sessions.ts';
import { SessionView, Ok, SecondFactorNeeded } from './staff-auth.schema.ts';
import { CHALLENGE_TTL_MS, secondFactorStatus, startChallenge } from '../second-factor/second-factor.ts';
import { authRateLimit } from '../rate-limits/rate-limit.ts';

const LoginBody = Type.Object({
  email: Type.String({ minLength: 1, maxLength: 254 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
});

export function presentSession(ctx: AppContext, session: StaffSession) {
  return {
    user: { id: session.userId, name: session.name, email: session.email, isSupport: session.isSupport },
    clinics: session.clinics,
    activeClinicId: session.activeClinicId,
    csrfToken: csrfTokenFor(ctx, session.id),
  };
}

/** The cookie of a login whose password was right and which waits for its second factor. */
export function pendingLoginCookie(ctx: AppContext) {
  const session = cookieSettings(ctx);
  return { name: session.name.replace('staff_session', 'staff_2fa'), options: session.options };
}

/** Opens the staff session (after the password, and the second factor where one is needed), sets its cookie. */
export async function openStaffSession(ctx: AppContext, reply: FastifyReply, userId: string, ip: string) {
  const now = ctx.clock.now();
  const cookie = cookieSettings(ctx);
  const firstClinic = await firstClinicOf(ctx.db, userId);
  const token = await ctx.db.transaction().execute(async (trx) => {
    const created = await createStaffSession(trx, userId, firstClinic?.id ?? null, now, ctx.sessionPolicy);
    await audit(trx, { type: 'staff', id: userId, ip }, now, { action: 'staff.login' });
    return created;
  });
  void reply.setCookie(cookie.name, token, { ...cookie.options, maxAge: Math.floor(ctx.sessionPolicy.absoluteMs / 1000) });
  const found = await findStaffSession(ctx.db, token, now, ctx.sessionPolicy);
  if (found.status !== 'valid') throw errors.unauthenticated();
  return presentSession(ctx, found.session);
}

export const staffAuthRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const cookie = cookieSettings(ctx);
  const staffOnly = requireStaff(ctx);
  const throttle = new FailureThrottle(ctx.db);
  const pending = pendingLoginCookie(ctx);

  app.post(
    '/api/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Staff login with e-mail and password',
        body: LoginBody,
        response: { 200: Type.Union([SessionView, SecondFactorNeeded]) },
      },
      config: authRateLimit(ctx),
    },
    async (request, reply) => {
      const { userId } = await checkStaffPassword(ctx, throttle, { ...request.body, ip: request.ip });
      // With TOTP set up, or required by a clinic of the user or by support, the session waits for the second factor.
      const status = await secondFactorStatus(ctx.db, userId);
      if (status.enrolled || status.required) {
        const token = await startChallenge(ctx.db, userId, ctx.clock.now());
        void reply.setCookie(pending.name, token, { ...pending.options, maxAge: CHALLENGE_TTL_MS / 1000 });
        return { secondFactor: { step: status.enrolled ? ('verify' as const) : ('enroll' as const), methods: status.methods } };
      }
      return openStaffSession(ctx, reply, userId, request.ip);
    },
  );

  app.post(
    '/api/auth/logout',
    { schema: { tags: ['auth'], summary: 'End the staff session on the server', response: { 200: Ok } }, onRequest: staffOnly },
    async (request, reply) => {
      const session = staffOf(request);
      await ctx.db.transaction().execute(async (trx) => {
        await deleteStaffSession(trx, session.id);
        await audit(trx, staffActor(request), ctx.clock.now(), { action: 'staff.logout' });
      });
      void reply.clearCookie(cookie.name, { path: '/' });
      return { ok: true };
    },
  );

  app.get(
    '/api/session',
    { schema: { tags: ['auth'], summary: 'The current staff session', response: { 200: SessionView } }, onRequest: staffOnly },
    (request) => presentSession(ctx, staffOf(request)),
  );

  app.put(
    '/api/session/clinic',
    {
      schema: {
        tags: ['auth'],
        summary: 'Switch the active clinic (multiklinik)',
        body: Type.Object({ clinicId: Type.String({ format: 'uuid' }) }),
        response: { 200: SessionView },
      },
      onRequest: staffOnly,
    },
    async (request) => {
      const session = staffOf(request);
      const { clinicId } = request.body;
      if (!session.clinics.some((c) => c.id === clinicId)) throw errors.forbidden();
      await switchSessionClinic(ctx.db, session.id, clinicId);
      return presentSession(ctx, { ...session, activeClinicId: clinicId });
    },
  );

  app.post(
    '/api/auth/set-password',
    {
      schema: {
        tags: ['auth'],
        summary: 'Choose a staff password with the mailed one-time link',
        body: Type.Object({ token: Type.String({ minLength: 20, maxLength: 200 }), password: Type.String({ maxLength: 1024 }) }),
        response: { 200: Ok },
      },
      config: authRateLimit(ctx),
    },
    async (request) => {
      await setStaffPasswordWithToken(ctx.db, request.body.token, request.body.password, request.ip, ctx.clock.now());
      return { ok: true };
    },
  );
};
