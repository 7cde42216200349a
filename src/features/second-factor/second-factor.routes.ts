import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import { errors } from '../../errors.ts';
import { requireClinicRole, requireStaff, requireSupport, staffActor, staffOf } from '../../http/staff-auth.ts';
import { audit } from '../audit/audit.ts';
import { openStaffSession, pendingLoginCookie } from '../auth/staff-auth.routes.ts';
import { SessionView } from '../auth/staff-auth.schema.ts';
import { authRateLimit } from '../rate-limits/rate-limit.ts';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { passkeyLoginOptions, passkeyRegistrationOptions, registerPasskey, verifyPasskeyLogin } from './passkeys.ts';
import { confirmTotpEnrolment, countTry, findChallenge, secondFactorStatus, startTotpEnrolment, useChallenge, verifySecondFactor } from './second-factor.ts';
import {
  clinicRequiresSecondFactor,
  platformRequiresSecondFactor,
  setClinicRequiresSecondFactor,
  setPlatformRequiresSecondFactor,
} from './requirement.repository.ts';

const tags = ['auth'];
const Requirement = Type.Object({ requireStaff2fa: Type.Boolean() });

export const secondFactorRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const pending = pendingLoginCookie(ctx);
  const staffOnly = requireStaff(ctx);
  const limited = authRateLimit(ctx);

  /**
   * Who is enrolling: a login waiting for enrolment at first login (its password was right, no
   * second factor yet), or a logged-in staff user setting one up by choice. A waiting login of a
   * user who already has TOTP cannot replace it: that would let a password alone skip the factor.
   */
  async function enrolling(request: FastifyRequest, reply: FastifyReply) {
    const challenge = await findChallenge(ctx.db, request.cookies[pending.name], ctx.clock.now());
    if (challenge) {
      if ((await secondFactorStatus(ctx.db, challenge.user_id)).enrolled) throw errors.forbidden();
      return { userId: challenge.user_id, challenge, actor: { type: 'staff' as const, id: challenge.user_id, ip: request.ip } };
    }
    await staffOnly(request, reply);
    return { userId: staffOf(request).userId, challenge: undefined, actor: staffActor(request) };
  }

  app.post(
    '/api/auth/second-factor',
    {
      schema: {
        tags,
        summary: 'Step 2 of a staff login: a code from the authenticator app, or a one-time recovery code; opens the session',
        body: Type.Object({ method: Type.Union([Type.Literal('totp'), Type.Literal('recovery')]), code: Type.String({ minLength: 1, maxLength: 32 }) }),
        response: { 200: SessionView },
      },
      config: limited,
    },
    async (request, reply) => {
      const { userId } = await verifySecondFactor(ctx, request.cookies[pending.name], { ...request.body, ip: request.ip });
      void reply.clearCookie(pending.name, { path: '/' });
      return openStaffSession(ctx, reply, userId, request.ip);
    },
  );

  app.post(
    '/api/auth/second-factor/totp',
    {
      schema: {
        tags,
        summary: 'Start setting up an authenticator app (at first login when required, or logged in): a new secret to scan or type',
        response: { 200: Type.Object({ secret: Type.String(), uri: Type.String() }) },
      },
      config: limited,
    },
    async (request, reply) => startTotpEnrolment(ctx, (await enrolling(request, reply)).userId),
  );

  app.post(
    '/api/auth/second-factor/totp/confirm',
    {
      schema: {
        tags,
        summary: 'Confirm the authenticator app with a code; returns 10 one-time recovery codes (shown once) and, at first login, the session',
        body: Type.Object({ code: Type.String({ minLength: 1, maxLength: 32 }) }),
        response: { 200: Type.Object({ recoveryCodes: Type.Array(Type.String()), session: Type.Union([SessionView, Type.Null()]) }) },
      },
      config: limited,
    },
    async (request, reply) => {
      const who = await enrolling(request, reply);
      if (who.challenge) await countTry(ctx.db, request.cookies[pending.name], ctx.clock.now());
      const recoveryCodes = await confirmTotpEnrolment(ctx, who.userId, request.body.code, who.actor);
      if (!who.challenge) return { recoveryCodes, session: null };
      await useChallenge(ctx.db, who.challenge.id, ctx.clock.now());
      void reply.clearCookie(pending.name, { path: '/' });
      return { recoveryCodes, session: await openStaffSession(ctx, reply, who.userId, request.ip) };
    },
  );

  const WebAuthnJson = Type.Object(
    {
      id: Type.String({ maxLength: 1024 }),
      rawId: Type.String({ maxLength: 1024 }),
      type: Type.Literal('public-key'),
      response: Type.Object({}, { additionalProperties: true }),
    },
    { additionalProperties: true },
  );
  const Options = Type.Object({}, { additionalProperties: true, description: 'WebAuthn options JSON for @simplewebauthn/browser' });

  app.post(
    '/api/auth/second-factor/passkey/registration-options',
    {
      schema: { tags, summary: 'Start adding a passkey (at first login when required, or logged in)', response: { 200: Options } },
      config: limited,
    },
    async (request, reply) => passkeyRegistrationOptions(ctx, (await enrolling(request, reply)).userId),
  );

  app.post(
    '/api/auth/second-factor/passkey/registration',
    {
      schema: {
        tags,
        summary: 'Add the passkey the browser created; returns recovery codes if the user had none, and, at first login, the session',
        body: Type.Object({ response: WebAuthnJson }),
        response: { 200: Type.Object({ recoveryCodes: Type.Array(Type.String()), session: Type.Union([SessionView, Type.Null()]) }) },
      },
      config: limited,
    },
    async (request, reply) => {
      const who = await enrolling(request, reply);
      if (who.challenge) await countTry(ctx.db, request.cookies[pending.name], ctx.clock.now());
      const recoveryCodes = await registerPasskey(ctx, who.userId, request.body.response as unknown as RegistrationResponseJSON, who.actor);
      if (!who.challenge) return { recoveryCodes, session: null };
      await useChallenge(ctx.db, who.challenge.id, ctx.clock.now());
      void reply.clearCookie(pending.name, { path: '/' });
      return { recoveryCodes, session: await openStaffSession(ctx, reply, who.userId, request.ip) };
    },
  );

  app.post(
    '/api/auth/second-factor/passkey/options',
    { schema: { tags, summary: 'Step 2 with a passkey: the challenge to sign', response: { 200: Options } }, config: limited },
    async (request) => {
      const challenge = await findChallenge(ctx.db, request.cookies[pending.name], ctx.clock.now());
      if (!challenge) throw errors.unauthenticated();
      return passkeyLoginOptions(ctx, challenge.id, challenge.user_id);
    },
  );

  app.post(
    '/api/auth/second-factor/passkey',
    {
      schema: {
        tags,
        summary: 'Step 2 with a passkey: the signed challenge; opens the session',
        body: Type.Object({ response: WebAuthnJson }),
        response: { 200: SessionView },
      },
      config: limited,
    },
    async (request, reply) => {
      const response = request.body.response as unknown as AuthenticationResponseJSON;
      const { userId } = await verifyPasskeyLogin(ctx, request.cookies[pending.name], response, request.ip);
      void reply.clearCookie(pending.name, { path: '/' });
      return openStaffSession(ctx, reply, userId, request.ip);
    },
  );

  app.get(
    '/api/clinics/:clinicId/security',
    {
      schema: {
        tags: ['clinic settings'],
        summary: 'Whether the clinic requires a second factor of its staff',
        params: Type.Object({ clinicId: Type.String({ format: 'uuid' }) }),
        response: { 200: Requirement },
      },
      onRequest: staffOnly,
    },
    async (request) => {
      requireClinicRole(staffOf(request), request.params.clinicId);
      return { requireStaff2fa: await clinicRequiresSecondFactor(ctx.db, request.params.clinicId) };
    },
  );

  app.put(
    '/api/clinics/:clinicId/security',
    {
      schema: {
        tags: ['clinic settings'],
        summary: 'Require a second factor of the clinic’s staff from their next login (clinic admin)',
        params: Type.Object({ clinicId: Type.String({ format: 'uuid' }) }),
        body: Requirement,
        response: { 200: Requirement },
      },
      onRequest: staffOnly,
    },
    async (request) => {
      const { clinicId } = request.params;
      requireClinicRole(staffOf(request), clinicId, 'admin');
      await ctx.db.transaction().execute(async (trx) => {
        await setClinicRequiresSecondFactor(trx, clinicId, request.body.requireStaff2fa);
        await audit(trx, staffActor(request), ctx.clock.now(), { action: 'clinic.require_staff_2fa', clinicId, details: request.body });
      });
      return request.body;
    },
  );

  app.get(
    '/api/support/security',
    { schema: { tags: ['support'], summary: 'Whether every staff user must have a second factor', response: { 200: Requirement } }, onRequest: staffOnly },
    async (request) => {
      requireSupport(staffOf(request));
      return { requireStaff2fa: await platformRequiresSecondFactor(ctx.db) };
    },
  );

  app.put(
    '/api/support/security',
    {
      schema: {
        tags: ['support'],
        summary: 'Require a second factor of every staff user from their next login (vendor support)',
        body: Requirement,
        response: { 200: Requirement },
      },
      onRequest: staffOnly,
    },
    async (request) => {
      requireSupport(staffOf(request));
      await ctx.db.transaction().execute(async (trx) => {
        await setPlatformRequiresSecondFactor(trx, request.body.requireStaff2fa);
        await audit(trx, staffActor(request), ctx.clock.now(), { action: 'support.require_staff_2fa', details: request.body });
      });
      return request.body;
    },
  );
};
