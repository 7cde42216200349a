import { auditPatientRead } from '../audit/audit.ts';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.ts';
import { requirePatient } from '../../http/patient-auth.ts';
import { requireClinicRole, requireStaff, staffActor, staffOf } from '../../http/staff-auth.ts';
import { patientScope, ActedByDescription, actedByLabel } from '../portal-functions/patient-scope.ts';
import { addMedication, clinicRenewals, handleRenewal, medicationList, clinicMedicationList, requestRenewal } from './renewal.ts';
import { patientOf } from '../patient-auth/patient-of.ts';

const Medication = Type.Object({
  id: Type.String(),
  name: Type.String(),
  dosage: Type.String(),
  habitForming: Type.Boolean(),
  renewableOnline: Type.Boolean(),
  renewalStatus: Type.Union([Type.Literal('requested'), Type.Literal('approved'), Type.Literal('rejected'), Type.Null()]),
  renewalNote: Type.Union([Type.String(), Type.Null()]),
});
const tags = ['e-receptfornyelse'];
const present = (m: Awaited<ReturnType<typeof medicationList>>[number]) => ({
  id: m.id,
  name: m.name,
  dosage: m.dosage,
  habitForming: m.habit_forming,
  renewableOnline: m.renewable_online,
  renewalStatus: m.last_status ?? null,
  renewalNote: m.last_note ?? null,
});

export const renewalRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const patientOnly = requirePatient(ctx);
  const staffOnly = requireStaff(ctx);
  const PatientParams = Type.Object({ clinicId: Type.String({ format: 'uuid' }), patientId: Type.String({ format: 'uuid' }) });

  app.get(
    '/api/clinics/:clinicId/patients/:patientId/medications',
    {
      schema: { tags, summary: "A patient's medication list", params: PatientParams, response: { 200: Type.Object({ medications: Type.Array(Medication) }) } },
      onRequest: staffOnly,
    },
    async (request) => {
      requireClinicRole(staffOf(request), request.params.clinicId);
      // Another clinic's patient answers 404, as the record does; a read is audited.
      await auditPatientRead(ctx.db, staffActor(request), ctx.clock.now(), {
        action: 'medications.viewed',
        clinicId: request.params.clinicId,
        patientId: request.params.patientId,
      });
      return { medications: (await clinicMedicationList(ctx, request.params.clinicId, request.params.patientId)).map(present) };
    },
  );

  app.post(
    '/api/clinics/:clinicId/patients/:patientId/medications',
    {
      schema: {
        tags,
        summary: 'Add to the medication list (habit-forming medicine is never renewable online)',
        params: PatientParams,
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 200 }),
          dosage: Type.String({ maxLength: 200 }),
          habitForming: Type.Boolean(),
          renewableOnline: Type.Boolean(),
        }),
        response: { 201: Type.Object({ id: Type.String() }) },
      },
      onRequest: staffOnly,
    },
    async (request, reply) => {
      requireClinicRole(staffOf(request), request.params.clinicId);
      return reply.status(201).send(await addMedication(ctx, request.params.clinicId, request.params.patientId, request.body, staffActor(request)));
    },
  );

  app.get(
    '/api/clinics/:clinicId/renewals',
    {
      schema: {
        tags,
        summary: 'Renewal requests, open ones first',
        params: Type.Object({ clinicId: Type.String({ format: 'uuid' }) }),
        response: {
          200: Type.Object({
            renewals: Type.Array(
              Type.Object({
                id: Type.String(),
                status: Type.String(),
                note: Type.Union([Type.String(), Type.Null()]),
                requestedAt: Type.String(),
                patientId: Type.String(),
                patientName: Type.String(),
                medication: Type.String(),
                dosage: Type.String(),
                actedBy: Type.Union([Type.String(), Type.Null()], { description: ActedByDescription }),
              }),
            ),
          }),
        },
      },
      onRequest: staffOnly,
    },
    async (request) => {
      requireClinicRole(staffOf(request), request.params.clinicId);
      const rows = await clinicRenewals(ctx, request.params.clinicId);
      return {
        renewals: rows.map((r) => ({
          id: r.id,
          status: r.status,
          note: r.note,
          requestedAt: r.requested_at.toISOString(),
          patientId: r.patient_id,
          patientName: `${r.given_name} ${r.family_name}`,
          actedBy: actedByLabel(r),
          medication: r.medication,
          dosage: r.dosage,
        })),
      };
    },
  );

  for (const decision of ['approved', 'rejected'] as const) {
    app.post(
      `/api/clinics/:clinicId/renewals/:renewalId/${decision === 'approved' ? 'approve' : 'reject'}`,
      {
        schema: {
          tags,
          summary: decision === 'approved' ? 'Approve a renewal, with a note' : 'Reject a renewal, with a note',
          params: Type.Object({ clinicId: Type.String({ format: 'uuid' }), renewalId: Type.String({ format: 'uuid' }) }),
          body: Type.Object({ note: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])) }),
          response: { 200: Type.Object({ ok: Type.Boolean() }) },
        },
        onRequest: staffOnly,
      },
      async (request) => {
        requireClinicRole(staffOf(request), request.params.clinicId);
        await handleRenewal(ctx, request.params.clinicId, request.params.renewalId, decision, request.body.note ?? null, staffActor(request));
        return { ok: true };
      },
    );
  }

  app.get(
    '/api/patient/clinics/:clinicId/medications',
    {
      schema: {
        tags,
        summary: 'My medication list with renewal statuses (readable without the right)',
        params: Type.Object({ clinicId: Type.String({ format: 'uuid' }) }),
        response: { 200: Type.Object({ canRequest: Type.Boolean(), medications: Type.Array(Medication) }) },
      },
      onRequest: patientOnly,
    },
    async (request) => {
      const scope = await patientScope(ctx, patientOf(request), request.params.clinicId, 'renewal');
      return { canRequest: scope.rights.includes('renewal'), medications: (await medicationList(ctx, scope.clinicId, scope.patientId)).map(present) };
    },
  );

  app.post(
    '/api/patient/clinics/:clinicId/medications/:medicationId/renewals',
    {
      schema: {
        tags,
        summary: 'Ask to renew a renewable item (needs the right)',
        params: Type.Object({ clinicId: Type.String({ format: 'uuid' }), medicationId: Type.String({ format: 'uuid' }) }),
        response: { 201: Type.Object({ id: Type.String() }) },
      },
      onRequest: patientOnly,
    },
    async (request, reply) => {
      const scope = await patientScope(ctx, patientOf(request), request.params.clinicId, 'renewal');
      return reply.status(201).send(await requestRenewal(ctx, scope, request.params.medicationId, request.ip));
    },
  );
};
