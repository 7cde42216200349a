import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.ts';
import { requirePatient } from '../../http/patient-auth.ts';
import { requireClinicRole, requireStaff, staffActor, staffOf } from '../../http/staff-auth.ts';
import { auditPatientRead } from '../audit/audit.ts';
import { Ok } from '../auth/staff-auth.schema.ts';
import { patientOf } from '../patient-auth/patient-of.ts';
import { maskCpr } from '../patients/cpr.ts';
import { defaultUntil, latestUntil, stillValid, todayOf } from './fuldmagt-dates.ts';
import { receivedFuldmagter } from './fuldmagt-scope.ts';
import { acceptFuldmagt, confirmFuldmagt, draftFuldmagt, endFuldmagt } from './fuldmagt.ts';
import { clinicNames, fuldmagterOfPatient, givenBy, giverClinics } from './fuldmagt.repository.ts';
import { FuldmagtInput, FuldmagtOverview, StaffFuldmagt } from './fuldmagt.schema.ts';

const tags = ['acting for others'];
const IdParams = Type.Object({ fuldmagtId: Type.String({ format: 'uuid' }) });

export const fuldmagtRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const patientOnly = requirePatient(ctx);
  const staffOnly = requireStaff(ctx);
  const base = '/api/patient/fuldmagter';

  app.get(
    base,
    {
      schema: { tags, summary: 'Fuldmagter this person has given, and (with MitID) those offered to or accepted by them', response: { 200: FuldmagtOverview } },
      onRequest: patientOnly,
    },
    async (request) => {
      const session = patientOf(request);
      const now = ctx.clock.now();
      const given = await givenBy(ctx.db, session.accountId);
      const names = new Map((await clinicNames(ctx.db, [...new Set(given.flatMap((f) => f.clinic_ids))])).map((c) => [c.id, c.name]));
      return {
        given: given.map((f) => ({
          id: f.id,
          receiverName: f.receiver_name,
          receiverCprMasked: maskCpr(f.receiver_cpr),
          status: (f.status === 'offered' || f.status === 'accepted') && !stillValid(f.valid_until, now) ? 'expired' : f.status,
          functions: f.functions,
          validUntil: f.valid_until,
          clinics: f.clinic_ids.flatMap((id) => {
            const name = names.get(id);
            return name === undefined ? [] : [{ id, name }];
          }),
        })),
        received: await receivedFuldmagter(ctx, session),
        mitid: session.mitid !== null,
        clinics: await giverClinics(ctx.db, session.accountId),
        defaultUntil: defaultUntil(now),
        latestUntil: latestUntil(now),
      };
    },
  );

  app.post(
    base,
    {
      schema: {
        tags,
        summary: 'Draft a fuldmagt (MitID login); it is offered when confirmed with a MitID step-up (action give_fuldmagt)',
        body: FuldmagtInput,
        response: { 201: Type.Object({ id: Type.String(), validUntil: Type.String({ format: 'date' }) }) },
      },
      onRequest: patientOnly,
    },
    async (request, reply) => {
      const drafted = await draftFuldmagt(ctx, patientOf(request), request.body, request.ip);
      return reply.code(201).send(drafted);
    },
  );

  const action = (path: string, summary: string, run: (fuldmagtId: string, request: Parameters<typeof patientOf>[0]) => Promise<void>) =>
    app.post(`${base}/:fuldmagtId/${path}`, { schema: { tags, summary, params: IdParams, response: { 200: Ok } }, onRequest: patientOnly }, async (request) => {
      await run(request.params.fuldmagtId, request);
      return { ok: true };
    });
  action('confirm', 'The giver confirms a draft with the MitID step-up this session holds; mails both', (id, r) =>
    confirmFuldmagt(ctx, patientOf(r), id, r.ip),
  );
  action('revoke', 'The giver revokes a fuldmagt; it stops on the receiver’s next request', (id, r) => endFuldmagt(ctx, patientOf(r), id, 'giver', r.ip));
  action('accept', 'The receiver (MitID login, matched by CPR number) accepts an offer', (id, r) => acceptFuldmagt(ctx, patientOf(r), id, r.ip));
  action('decline', 'The receiver declines an offer or gives up an accepted fuldmagt', (id, r) => endFuldmagt(ctx, patientOf(r), id, 'receiver', r.ip));

  app.get(
    '/api/clinics/:clinicId/patients/:patientId/fuldmagter',
    {
      schema: {
        tags: ['patients'],
        summary: 'Fuldmagter the patient has given that cover this clinic (offered or in force)',
        params: Type.Object({ clinicId: Type.String({ format: 'uuid' }), patientId: Type.String({ format: 'uuid' }) }),
        response: { 200: Type.Object({ fuldmagter: Type.Array(StaffFuldmagt) }) },
      },
      onRequest: staffOnly,
    },
    async (request) => {
      const { clinicId, patientId } = request.params;
      requireClinicRole(staffOf(request), clinicId);
      await auditPatientRead(ctx.db, staffActor(request), ctx.clock.now(), { action: 'fuldmagt.viewed', clinicId, patientId });
      const rows = await fuldmagterOfPatient(ctx.db, clinicId, patientId, todayOf(ctx.clock.now()));
      return {
        fuldmagter: rows.map((f) => ({
          receiverName: f.receiver_name,
          status: f.status === 'accepted' ? ('accepted' as const) : ('offered' as const),
          functions: f.functions,
          validUntil: f.valid_until,
        })),
      };
    },
  );
};
