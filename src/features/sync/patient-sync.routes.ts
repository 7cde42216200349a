import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { isUtf8 } from 'node:buffer';
import type { AppContext } from '../../context.ts';
import { errors } from '../../errors.ts';
import { requireClinicRole, requireStaff, staffActor, staffOf } from '../../http/staff-auth.ts';
import { MAX_LINES, PatientInput, UNPARSABLE, upsertPatient, upsertPatients } from './patient-sync.ts';

const Params = Type.Object({ clinicId: Type.String({ format: 'uuid' }) });
const Outcome = Type.Union([Type.Literal('created'), Type.Literal('updated'), Type.Literal('unchanged')]);
const Messages = Type.Object({ da: Type.String(), en: Type.String() });
const LineResult = Type.Object({
  line: Type.Integer({ description: 'The n-th record of the request, from 1' }),
  externalId: Type.Union([Type.String(), Type.Null()]),
  result: Type.Union([Outcome, Type.Literal('error')]),
  patientId: Type.Optional(Type.String()),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Messages, field: Type.Optional(Type.String()) })),
});
const NDJSON = 'application/x-ndjson';
const tags = ['clinic system sync'];

const tooMany = () => errors.validation('body', { da: `Højst ${MAX_LINES} linjer pr. forespørgsel.`, en: `At most ${MAX_LINES} lines per request.` });

/** NDJSON records (blank lines skipped); a line that is not JSON is that line's error, not the request's. */
function parseNdjson(text: string): unknown[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        return JSON.parse(l) as unknown;
      } catch {
        return UNPARSABLE;
      }
    });
}

export const patientSyncRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const staffOnly = requireStaff(ctx);
  const bulkBodyLimit = 8 * 1024 * 1024;
  app.addContentTypeParser(NDJSON, { parseAs: 'buffer', bodyLimit: bulkBodyLimit }, (_request, body: Buffer, done) => {
    if (!isUtf8(body)) done(errors.validation('body', { da: 'Forespørgslen er ikke gyldig UTF-8.', en: 'The request body is not valid UTF-8.' }));
    else done(null, parseNdjson(body.toString('utf8')));
  });

  app.put(
    '/api/clinics/:clinicId/patients/by-external-id',
    {
      schema: {
        tags,
        summary: "Upsert one patient by the clinic system's id (externalId); the same call twice answers unchanged",
        description: 'The CPR number goes in the body, never in the URL. A patient already known by CPR without an externalId is linked.',
        params: Params,
        body: PatientInput,
        response: { 200: Type.Object({ result: Outcome, patientId: Type.String(), externalId: Type.String() }) },
      },
      onRequest: staffOnly,
    },
    async (request) => {
      requireClinicRole(staffOf(request), request.params.clinicId);
      const done = await upsertPatient(ctx.db, request.params.clinicId, request.body, staffActor(request), ctx.clock.now());
      return { result: done.result, patientId: done.patientId, externalId: done.externalId ?? '' };
    },
  );

  app.post(
    '/api/clinics/:clinicId/patients/bulk',
    {
      schema: {
        tags,
        summary: `Upsert up to ${MAX_LINES} patients: a JSON array, or NDJSON (${NDJSON}) answered as NDJSON; one result per line`,
        description: 'Each line is all-or-nothing: created, updated, unchanged, or the error of that line alone.',
        params: Params,
        body: Type.Array(Type.Unknown(), { maxItems: MAX_LINES }),
        consumes: ['application/json', NDJSON],
        response: {
          200: Type.Union([Type.Object({ results: Type.Array(LineResult) }), Type.String({ description: 'NDJSON: one line result per line, in order' })]),
        },
      },
      bodyLimit: bulkBodyLimit,
      onRequest: staffOnly,
    },
    async (request, reply) => {
      requireClinicRole(staffOf(request), request.params.clinicId);
      if (request.body.length > MAX_LINES) throw tooMany();
      const results = await upsertPatients(ctx.db, request.params.clinicId, request.body, staffActor(request), ctx.clock.now());
      if (request.headers['content-type']?.startsWith(NDJSON)) {
        return reply.type(NDJSON).send(results.map((r) => JSON.stringify(r)).join('\n') + '\n');
      }
      return { results };
    },
  );
};
