import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.ts';
import { requireStaff, requireSupport, staffOf } from '../../http/staff-auth.ts';
import { listClinicsForSupport } from './clinics.repository.ts';

const ClinicSummary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  slug: Type.String(),
  specialty: Type.Union([Type.Literal('almen_praksis'), Type.Literal('speciallaege')]),
  ydernummer: Type.Union([Type.String(), Type.Null()]),
  usesMitid: Type.Boolean(),
  selfRegistration: Type.String(),
  autoApprovalAllowed: Type.Boolean(),
  offeredFunctions: Type.Array(Type.String()),
  patientCount: Type.Integer(),
  staffCount: Type.Integer(),
});

export const clinicsRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get(
    '/api/support/clinics',
    {
      schema: { tags: ['support'], summary: 'All clinics (vendor support only)', response: { 200: Type.Object({ clinics: Type.Array(ClinicSummary) }) } },
      onRequest: requireStaff(ctx),
    },
    async (request) => {
      requireSupport(staffOf(request));
      const rows = await listClinicsForSupport(ctx.db);
      return {
        clinics: rows.map((c) => ({
          id: c.id,
          name: c.name,
          slug: c.slug,
          specialty: c.specialty,
          ydernummer: c.ydernummer,
          usesMitid: c.uses_mitid,
          selfRegistration: c.self_registration,
          autoApprovalAllowed: c.auto_approval_allowed,
          offeredFunctions: c.offered_functions,
          patientCount: Number(c.patient_count),
          staffCount: Number(c.staff_count),
        })),
      };
    },
  );
};
