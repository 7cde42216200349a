import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.ts';
import { patientActor, patientCookie, patientCsrfTokenFor, requirePatient } from '../../http/patient-auth.ts';
import { audit } from '../audit/audit.ts';
import { Ok } from '../auth/staff-auth.schema.ts';
import { FailureThrottle } from './failure-throttle.ts';
import { deviceCookie, readDeviceCookie, renewDeviceCookie } from './device-cookies.ts';
import { activateAccount, inspectActivation, inspectPasswordReset, resetPassword } from './patient-links.ts';
import { recordPasswordResetRequest } from './reset-requests.ts';
import { finishPatientLogin, identifierKey, startPatientLogin } from './patient-login.ts';
import { authRateLimit } from '../rate-limits/rate-limit.ts';
import { patientOf } from './patient-of.ts';
import { deletePatientSession } from './patient-sessions.ts';

const TokenBody = Type.Object({ token: Type.String({ minLength: 20, maxLength: 200 }) });
const TokenPasswordBody = Type.Object({ token: Type.String({ minLength: 20, maxLength: 200 }), password: Type.String({ maxLength: 1024 }) });
const tags = ['patient login'];

export const patientAuthRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const cookie = patientCookie(ctx);
  const device = deviceCookie(ctx);
  const throttle = new FailureThrottle(ctx.db);
  const limited = authRateLimit(ctx);

  app.post(
    '/api/patient/login',
    {
      schema: {
        tags,
        summary: 'Step 1: CPR number or e-mail + password; mails a one-time code',
        body: Type.Object({ identifier: Type.String({ minLength: 1, maxLength: 254 }), password: Type.String({ minLength: 1, maxLength: 1024 }) }),
        response: { 200: Type.Object({ challengeId: Type.String() }) },
      },
      config: limited,
    },
    async (request) => {
      const devices = readDeviceCookie(ctx, request.cookies[device.name], ctx.clock.now());
      return startPatientLogin({ ctx, throttle }, { ...request.body, ip: request.ip, devices });
    },
  );

  app.post(
    '/api/patient/login/code',
    {
      schema: {
        tags,
        summary: 'Step 2: the mailed 8-digit code (10 minutes, 5 tries); opens the session',
        body: Type.Object({ challengeId: Type.String({ format: 'uuid' }), code: Type.String({ minLength: 1, maxLength: 20 }) }),
        response: { 200: Type.Object({ csrfToken: Type.String() }) },
      },
      config: limited,
    },
    async (request, reply) => {
      const { session, accountId } = await finishPatientLogin({ ctx, throttle }, { ...request.body, ip: request.ip });
      void reply.setCookie(cookie.name, session.token, { ...cookie.options, maxAge: Math.floor(ctx.sessionPolicy.absoluteMs / 1000) });
      // The browser of a full login (password and mailed code) becomes a trusted device of this login.
      const now = ctx.clock.now();
      void reply.setCookie(device.name, renewDeviceCookie(ctx, readDeviceCookie(ctx, request.cookies[device.name], now), accountId, now), device.options);
      return { csrfToken: patientCsrfTokenFor(ctx, session.id) };
    },
  );

  app.get(
    '/api/patient/session',
    {
      schema: { tags, summary: 'The CSRF token of the current patient session', response: { 200: Type.Object({ csrfToken: Type.String() }) } },
      onRequest: requirePatient(ctx),
    },
    (request) => ({ csrfToken: patientCsrfTokenFor(ctx, patientOf(request).id) }),
  );

  app.post(
    '/api/patient/logout',
    { schema: { tags, summary: 'End the patient session', response: { 200: Ok } }, onRequest: requirePatient(ctx) },
    async (request, reply) => {
      await ctx.db.transaction().execute(async (trx) => {
        await deletePatientSession(trx, patientOf(request).id);
        await audit(trx, patientActor(request), ctx.clock.now(), { action: 'patient.logout' });
      });
      void reply.clearCookie(cookie.name, { path: '/' });
      return { ok: true };
    },
  );

  app.post(
    '/api/patient/activation/inspect',
    {
      schema: {
        tags,
        summary: 'What an activation link is for, without using it',
        body: TokenBody,
        response: { 200: Type.Object({ clinicName: Type.Union([Type.String(), Type.Null()]) }) },
      },
      config: limited,
    },
    async (request) => inspectActivation(ctx, request.body.token),
  );

  app.post(
    '/api/patient/activation',
    { schema: { tags, summary: 'Activate the login with a first password (uses the link)', body: TokenPasswordBody, response: { 200: Ok } }, config: limited },
    async (request) => {
      await activateAccount(ctx, { ...request.body, ip: request.ip });
      return { ok: true };
    },
  );

  app.post(
    '/api/patient/forgot-password',
    {
      schema: {
        tags,
        summary: 'Glemt adgangskode: always the same answer; mails a link only if the login exists',
        body: Type.Object({ identifier: Type.String({ minLength: 1, maxLength: 254 }) }),
        response: { 200: Ok },
      },
      config: limited,
    },
    async (request) => {
      // Answered before anything that depends on whether the login exists (reset-requests.ts).
      await recordPasswordResetRequest(ctx, { identifier: request.body.identifier, ip: request.ip });
      return { ok: true };
    },
  );

  app.post(
    '/api/patient/password-reset/inspect',
    { schema: { tags, summary: 'Whether a new-password link can still be used', body: TokenBody, response: { 200: Ok } }, config: limited },
    async (request) => {
      await inspectPasswordReset(ctx, request.body.token);
      return { ok: true };
    },
  );

  app.post(
    '/api/patient/password-reset',
    {
      schema: { tags, summary: 'Choose a new password with a mailed link; ends all sessions', body: TokenPasswordBody, response: { 200: Ok } },
      config: limited,
    },
    async (request) => {
      const account = await resetPassword(ctx, { ...request.body, ip: request.ip });
      // A fresh password starts with a clean slate, also for the slow-down.
      for (const identifier of [account.cpr, account.email]) if (identifier) await throttle.succeed(identifierKey(identifier).key);
      return { ok: true };
    },
  );
};
