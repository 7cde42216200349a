import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.ts';
import { errors } from '../../errors.ts';
import { requireClinicRole, requireStaff, staffActor, staffOf } from '../../http/staff-auth.ts';
import { audit } from '../audit/audit.ts';
import { formatCpr, maskCpr, parseCpr } from './cpr.ts';
import { getPatientRecord, searchPatients } from './patients.repository.ts';

const ClinicParams = Type.Object({ clinicId: Type.String({ format: 'uuid' }) });
const PatientParams = Type.Object({ clinicId: Type.String({ format: 'uuid' }), patientId: Type.String({ format: 'uuid' }) });

const PatientListItem = Type.Object({
  id: Type.String(),
  name: Type.String(),
  maskedCpr: Type.String({ description: 'DDMMYY-xxxx' }),
  birthDate: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
});

const PatientRecord = Type.Object({
  id: Type.String(),
  clinicId: Type.String(),
  givenName: Type.String(),
  familyName: Type.String(),
  cpr: Type.String({ description: 'DDMMYY-SSSS' }),
  birthDate: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
  sex: Type.Union([Type.Literal('male'), Type.Literal('female'), Type.Null()]),
  address: Type.Union([Type.String(), Type.Null()]),
  postalCode: Type.Union([Type.String(), Type.Null()]),
  city: Type.Union([Type.String(), Type.Null()]),
  phone: Type.Union([Type.String(), Type.Null()]),
  email: Type.Union([Type.String(), Type.Null()]),
});

const birthDateOf = (cpr: string) => parseCpr(cpr)?.birthDate.toISOString().slice(0, 10) ?? null;

export const patientsRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const staffOnly = requireStaff(ctx);

  const search = async (clinicId: string, query: string, limit: number) => {
    const rows = await searchPatients(ctx.db, { clinicId, query, limit });
    return {
      patients: rows.map((p) => ({
        id: p.id,
        name: `${p.given_name} ${p.family_name}`,
        maskedCpr: maskCpr(p.cpr),
        birthDate: birthDateOf(p.cpr),
      })),
    };
  };
  const PatientList = Type.Object({ patients: Type.Array(PatientListItem) });
  const Limit = Type.Integer({ minimum: 1, maximum: 200, default: 50 });

  app.get(
    '/api/clinics/:clinicId/patients',
    {
      schema: {
        tags: ['patients'],
        summary: "The clinic's patients by name (a search goes in a POST body: POST .../patients/search)",
        params: ClinicParams,
        querystring: Type.Object({
          q: Type.Optional(Type.String({ maxLength: 100, description: 'Refused (400 search_in_body): a CPR number must never be in a URL.' })),
          limit: Type.Optional(Limit),
        }),
        response: { 200: PatientList },
      },
      onRequest: staffOnly,
    },
    async (request) => {
      requireClinicRole(staffOf(request), request.params.clinicId);
      // URLs end up in proxy and browser logs; a search term may be a CPR number.
      if (request.query.q !== undefined) throw errors.searchInBody();
      return search(request.params.clinicId, '', request.query.limit ?? 50);
    },
  );

  app.post(
    '/api/clinics/:clinicId/patients/search',
    {
      schema: {
        tags: ['patients'],
        summary: "Search the clinic's patients by name prefix or CPR (the term in the body, never in the URL)",
        params: ClinicParams,
        body: Type.Object({ q: Type.String({ maxLength: 100 }), limit: Type.Optional(Limit) }),
        response: { 200: PatientList },
      },
      onRequest: staffOnly,
    },
    async (request) => {
      requireClinicRole(staffOf(request), request.params.clinicId);
      return search(request.params.clinicId, request.body.q, request.body.limit ?? 50);
    },
  );

  app.get(
    '/api/clinics/:clinicId/patients/:patientId',
    {
      schema: {
        tags: ['patients'],
        summary: 'The patient record header (Patienthovedet); every view is audited',
        params: PatientParams,
        response: { 200: PatientRecord },
      },
      onRequest: staffOnly,
    },
    async (request) => {
      const { clinicId, patientId } = request.params;
      requireClinicRole(staffOf(request), clinicId);
      // The read and its audit row commit together: no view goes unrecorded.
      const patient = await ctx.db.transaction().execute(async (trx) => {
        const found = await getPatientRecord(trx, clinicId, patientId);
        if (!found) throw errors.notFound();
        await audit(trx, staffActor(request), ctx.clock.now(), { action: 'patient.viewed', clinicId, patientId });
        return found;
      });
      const cpr = parseCpr(patient.cpr);
      return {
        id: patient.id,
        clinicId,
        givenName: patient.given_name,
        familyName: patient.family_name,
        cpr: formatCpr(patient.cpr),
        birthDate: birthDateOf(patient.cpr),
        sex: cpr?.sex ?? null,
        address: patient.address,
        postalCode: patient.postal_code,
        city: patient.city,
        phone: patient.phone,
        email: patient.email,
      };
    },
  );
};
