import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.ts';
import { patientActor, patientCookie, requirePatient } from '../../http/patient-auth.ts';
import { Ok } from '../auth/staff-auth.schema.ts';
import { confirmEmailChange, deleteOwnLogin, getPatientOverview, requestEmailChange, updatePhone } from './patient-account.ts';
import { authRateLimit } from '../rate-limits/rate-limit.ts';
import { patientOf } from './patient-of.ts';
import { loginRequestsOfAccount } from './patient-account.repository.ts';

const Right = Type.Union([Type.Literal('econsultation'), Type.Literal('booking'), Type.Literal('renewal')]);
const Overview = Type.Object({
  name: Type.Union([Type.String(), Type.Null()]),
  email: Type.Union([Type.String(), Type.Null()]),
  phone: Type.Union([Type.String(), Type.Null()]),
  /** False for a patient who registered with MitID and never chose a password: they confirm with MitID. */
  hasPassword: Type.Boolean(),
  /** A fresh MitID step-up this session holds, for the one profile action it was made for. */
  stepUp: Type.Union([
    Type.Object({
      action: Type.Union([Type.Literal('delete_login'), Type.Literal('change_email'), Type.Literal('give_fuldmagt')]),
      until: Type.String({ format: 'date-time' }),
    }),
    Type.Null(),
  ]),
  clinics: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      rights: Type.Array(Right),
      wantsElectronicReply: Type.Boolean(),
      /** Functions with something to read (threads, appointments, renewals), granted or not. */
      history: Type.Array(Right),
    }),
  ),
});
/** The password, or nothing when this session holds a fresh MitID step-up for the action. */
const Reauth = Type.Optional(Type.String({ maxLength: 1024 }));
const tags = ['patient profile'];

export const patientAccountRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const patientOnly = requirePatient(ctx);

  app.get(
    '/api/patient/me',
    { schema: { tags, summary: "The patient's clinics and the functions open at each", response: { 200: Overview } }, onRequest: patientOnly },
    async (request) => getPatientOverview(ctx, patientOf(request).accountId, patientOf(request).id),
  );

  app.get(
    '/api/patient/requests',
    {
      schema: {
        tags,
        summary: "The patient's requests for access and their state (afventer, godkendt, afvist with reason)",
        response: {
          200: Type.Object({
            requests: Type.Array(
              Type.Object({
                clinicName: Type.String(),
                receivedAt: Type.String({ format: 'date-time' }),
                status: Type.Union([Type.Literal('open'), Type.Literal('approved'), Type.Literal('rejected')]),
                rejectionReason: Type.Union([Type.String(), Type.Null()]),
                forChild: Type.Union([Type.String(), Type.Null()], {
                  description: 'A request for a child’s Forældreadgang this login asked for: the child’s name',
                }),
              }),
            ),
          }),
        },
      },
      onRequest: patientOnly,
    },
    async (request) => {
      const accountId = patientOf(request).accountId;
      const rows = await loginRequestsOfAccount(ctx.db, accountId);
      return {
        requests: rows.map((r) => ({
          clinicName: r.name,
          receivedAt: r.created_at.toISOString(),
          status: r.status,
          rejectionReason: r.rejection_reason,
          forChild: r.requested_by_account_id === accountId ? r.for_name : null,
        })),
      };
    },
  );

  app.put(
    '/api/patient/me/phone',
    {
      schema: {
        tags,
        summary: 'Change phone number',
        body: Type.Object({ phone: Type.Union([Type.String({ maxLength: 20 }), Type.Null()]) }),
        response: { 200: Ok },
      },
      onRequest: patientOnly,
    },
    async (request) => {
      await updatePhone(ctx, patientActor(request), request.body.phone);
      return { ok: true };
    },
  );

  app.post(
    '/api/patient/me/email',
    {
      schema: {
        tags,
        summary:
          'Change e-mail: needs the password or a fresh MitID step-up (GET /api/mitid/start?purpose=stepup&action=change_email); takes effect when the link mailed to the new address is opened',
        body: Type.Object({ password: Reauth, newEmail: Type.String({ maxLength: 254 }) }),
        response: { 200: Ok },
      },
      onRequest: patientOnly,
    },
    async (request) => {
      await requestEmailChange(ctx, patientActor(request), { ...request.body, sessionId: patientOf(request).id });
      return { ok: true };
    },
  );

  app.post(
    '/api/patient/confirm-email',
    {
      schema: {
        tags,
        summary: 'Confirm a new e-mail address with the mailed link',
        body: Type.Object({ token: Type.String({ minLength: 20, maxLength: 200 }) }),
        response: { 200: Ok },
      },
      config: authRateLimit(ctx),
    },
    async (request) => {
      await confirmEmailChange(ctx, { token: request.body.token, ip: request.ip });
      return { ok: true };
    },
  );

  app.delete(
    '/api/patient/me',
    {
      schema: {
        tags,
        summary: 'Delete my login: ends all memberships; the clinics keep their records. Needs the password or a fresh MitID step-up (action=delete_login)',
        body: Type.Object({ password: Reauth }),
        response: { 200: Ok },
      },
      onRequest: patientOnly,
    },
    async (request, reply) => {
      await deleteOwnLogin(ctx, patientActor(request), { password: request.body.password, sessionId: patientOf(request).id });
      void reply.clearCookie(patientCookie(ctx).name, { path: '/' });
      return { ok: true };
    },
  );
};
