import { randomInt } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.ts';
import { AppError, errors } from '../../errors.ts';
import { patientCookie } from '../../http/patient-auth.ts';
import { hmac, safeEqual } from '../auth/tokens.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { ageOn } from '../mitid/claims.ts';
import { findIdentity } from '../mitid/mitid-flow.ts';
import { mitidCookies } from '../mitid/mitid.routes.ts';
import { checkEmail } from '../staff/staff-accounts.ts';
import { PublicRequestDesk } from '../login-requests/public-request.ts';
import { clinicAcceptsMitid, decideRegistration, isAutomatic, MIN_SELF_REGISTRATION_AGE, registrationClosed, under15 } from './decide-registration.ts';
import { authRateLimit } from '../rate-limits/rate-limit.ts';
import { clinicBySlug as findClinicBySlug, countWrongEmailCode, latestRequestOf, setRegistrationContact } from './registration.repository.ts';

const Slug = Type.Object({ slug: Type.String({ maxLength: 100 }) });
const EMAIL_CODE_TRIES = 5;
const tags = ['registration'];

const RegistrationInfo = Type.Object({
  clinic: Type.Object({
    name: Type.String(),
    slug: Type.String(),
    acceptsMitid: Type.Boolean(),
    automatic: Type.Boolean(),
    acceptsRequestForm: Type.Boolean({ description: 'A clinic without MitID takes requests from a form' }),
  }),
  mitidAvailable: Type.Boolean(),
  identity: Type.Union([
    Type.Null(),
    Type.Object({
      name: Type.String(),
      birthDate: Type.String(),
      under15: Type.Boolean(),
      email: Type.Union([Type.String(), Type.Null()]),
      codeSent: Type.Boolean(),
      request: Type.Union([
        Type.Null(),
        Type.Object({
          status: Type.Union([Type.Literal('open'), Type.Literal('approved'), Type.Literal('rejected')]),
          rejectionReason: Type.Union([Type.String(), Type.Null()]),
        }),
      ]),
    }),
  ]),
});

const codeWrong = () => new AppError(400, 'code_wrong', { da: 'Forkert kode.', en: 'Wrong code.' }, 'code');

export const registrationRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const cookies = mitidCookies(ctx);
  const limited = authRateLimit(ctx);
  const clinicBySlug = async (slug: string) => {
    const clinic = await findClinicBySlug(ctx.db, slug);
    if (!clinic) throw errors.notFound();
    return clinic;
  };

  app.get(
    '/api/registration/:slug',
    {
      schema: {
        tags,
        summary: "A clinic's registration page: what it accepts, and the MitID-identified person if any",
        params: Slug,
        response: { 200: RegistrationInfo },
      },
    },
    async (request) => {
      const clinic = await clinicBySlug(request.params.slug);
      const identity = await findIdentity(ctx, request.cookies[cookies.identity.name], clinic.id, true);
      // The person MitID identified may see the state of their latest request at this clinic.
      const latest = identity ? await latestRequestOf(ctx.db, clinic.id, identity.cpr) : undefined;
      return {
        clinic: {
          name: clinic.name,
          slug: clinic.slug,
          acceptsMitid: clinicAcceptsMitid(clinic),
          automatic: isAutomatic(clinic),
          acceptsRequestForm: PublicRequestDesk.accepts(clinic),
        },
        mitidAvailable: ctx.mitid !== null,
        identity: identity
          ? {
              name: identity.name,
              birthDate: identity.birth_date,
              under15: ageOn(identity.birth_date, ctx.clock.now()) < MIN_SELF_REGISTRATION_AGE,
              email: identity.email,
              codeSent: identity.email_code_hash !== null,
              request: latest ? { status: latest.status, rejectionReason: latest.rejection_reason } : null,
            }
          : null,
      };
    },
  );

  const desk = new PublicRequestDesk(ctx);
  app.post(
    '/api/registration/:slug/request',
    {
      schema: {
        tags,
        summary: 'The request form of a clinic without MitID; always the same answer',
        params: Slug,
        body: Type.Object({
          name: Type.String({ maxLength: 120 }),
          cpr: Type.String({ maxLength: 11 }),
          email: Type.String({ maxLength: 254 }),
          phone: Type.Union([Type.String({ maxLength: 20 }), Type.Null()]),
        }),
        response: { 200: Type.Object({ ok: Type.Boolean() }) },
      },
      bodyLimit: 4096,
      config: authRateLimit(ctx, 3),
    },
    async (request) => {
      const clinic = await clinicBySlug(request.params.slug);
      if (!PublicRequestDesk.accepts(clinic)) throw registrationClosed();
      await desk.submit(clinic, request.body, request.ip);
      return { ok: true };
    },
  );

  app.post(
    '/api/registration/:slug/contact',
    {
      schema: {
        tags,
        summary: 'E-mail and phone of the identified person; mails a 6-digit code to verify the address',
        params: Slug,
        body: Type.Object({ email: Type.String({ maxLength: 254 }), phone: Type.Union([Type.String({ maxLength: 20 }), Type.Null()]) }),
        response: { 200: Type.Object({ ok: Type.Boolean() }) },
      },
      config: limited,
    },
    async (request) => {
      const clinic = await clinicBySlug(request.params.slug);
      const identity = await findIdentity(ctx, request.cookies[cookies.identity.name], clinic.id);
      if (!identity) throw errors.sessionExpired();
      if (ageOn(identity.birth_date, ctx.clock.now()) < MIN_SELF_REGISTRATION_AGE) throw under15();
      const email = checkEmail(request.body.email);
      const phone = request.body.phone?.trim() || null;
      if (phone && !/^\+?[0-9 ]{8,16}$/.test(phone)) throw errors.validation('phone', { da: 'Ugyldigt telefonnummer.', en: 'Invalid phone number.' });
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      const now = ctx.clock.now();
      await ctx.db.transaction().execute(async (trx) => {
        await setRegistrationContact(trx, identity.id, { email, phone, emailCodeHash: hmac(ctx.config.sessionSecret, `${identity.id}:${code}`) });
        await enqueueMail(trx, { to: email, template: 'registrationEmailCode', params: { code, clinicName: clinic.name } }, now);
      });
      return { ok: true };
    },
  );

  app.post(
    '/api/registration/:slug/submit',
    {
      schema: {
        tags,
        summary: 'Verify the mailed code and register: a membership at once, or a request in the clinic queue',
        params: Slug,
        body: Type.Object({ code: Type.String({ maxLength: 10 }) }),
        response: {
          200: Type.Object({
            outcome: Type.Union([Type.Literal('approved'), Type.Literal('queued'), Type.Literal('already_member')]),
            reason: Type.Optional(Type.String()),
            alreadyOpen: Type.Optional(Type.Boolean()),
            csrfToken: Type.Optional(Type.String()),
          }),
        },
      },
      config: limited,
    },
    async (request, reply) => {
      const clinic = await clinicBySlug(request.params.slug);
      const identity = await findIdentity(ctx, request.cookies[cookies.identity.name], clinic.id, true);
      if (!identity) throw errors.sessionExpired();
      if (!identity.email_code_hash || identity.email_code_attempts >= EMAIL_CODE_TRIES) throw codeWrong();
      const expected = hmac(ctx.config.sessionSecret, `${identity.id}:${request.body.code.trim()}`);
      if (!safeEqual(expected, identity.email_code_hash)) {
        await countWrongEmailCode(ctx.db, identity.id);
        throw codeWrong();
      }
      if (!identity.email) throw new Error(`MitID identity ${identity.id}: an e-mail code without an e-mail address`);
      const result = await decideRegistration(
        ctx,
        clinic,
        {
          identityId: identity.id,
          cpr: identity.cpr,
          mitidUuid: identity.mitid_uuid,
          name: identity.name,
          birthDate: identity.birth_date,
          email: identity.email,
          phone: identity.phone,
        },
        request.ip,
      );
      if (result.outcome === 'approved') {
        void reply.clearCookie(cookies.identity.name, { path: '/' });
        const patient = patientCookie(ctx);
        void reply.setCookie(patient.name, result.session.token, { ...patient.options, maxAge: Math.floor(ctx.sessionPolicy.absoluteMs / 1000) });
        return { outcome: result.outcome };
      }
      return result.outcome === 'queued' ? { outcome: result.outcome, reason: result.reason, alreadyOpen: result.alreadyOpen } : { outcome: result.outcome };
    },
  );
};
