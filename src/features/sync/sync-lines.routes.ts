import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { isUtf8 } from 'node:buffer';
import type { AppContext } from '../../context.ts';
import type { Database } from '../../db/database.ts';
import { errors } from '../../errors.ts';
import { requireClinicRole, requireStaff, staffActor, staffOf } from '../../http/staff-auth.ts';
import type { Actor } from '../audit/audit.ts';
import { MAX_LINES, onlyResult, UNPARSABLE, type LineDone, type LineError } from './sync-lines.ts';

const NDJSON = 'application/x-ndjson';
const BULK_BODY_LIMIT = 8 * 1024 * 1024;
const Params = Type.Object({ clinicId: Type.String({ format: 'uuid' }) });
const Outcome = Type.Union([Type.Literal('created'), Type.Literal('updated'), Type.Literal('unchanged')]);
const Messages = Type.Object({ da: Type.String(), en: Type.String() });

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

function acceptNdjson(app: FastifyInstance): void {
  app.addContentTypeParser(NDJSON, { parseAs: 'buffer', bodyLimit: BULK_BODY_LIMIT }, (_request, body: Buffer, done) => {
    if (!isUtf8(body)) done(errors.validation('body', { da: 'Forespørgslen er ikke gyldig UTF-8.', en: 'The request body is not valid UTF-8.' }));
    else done(null, parseNdjson(body.toString('utf8')));
  });
}

type LineResult = (LineDone & Record<string, unknown>) | LineError;

/** One kind of record a clinic system keeps in sync by its own id. */
export interface SyncedKind {
  /** The collection's path, e.g. /api/clinics/:clinicId/medications; the routes are `${path}/by-external-id` and `${path}/bulk`. */
  path: string;
  /** The ids in an answer: the record's own (patientId, medicationId, slotId), and any it refers to. */
  idKeys: string[];
  /** The plural noun in the summaries. */
  noun: string;
  tags: string[];
  input: TSchema;
  description: string;
  upsert: (db: Database, clinicId: string, raw: unknown[], actor: Actor, now: Date) => Promise<LineResult[]>;
}

/**
 * The routes of one synced kind: PUT `/by-external-id` (one record; the same call twice answers
 * unchanged and writes nothing) and POST `/bulk` (up to 10,000 as a JSON array, or NDJSON answered
 * as NDJSON; one result per line). Bearer tokens and staff sessions alike, scoped to the clinic.
 */
export function syncRoutes(kinds: SyncedKind[]): FastifyPluginAsyncTypebox<{ ctx: AppContext }> {
  return async (app, { ctx }) => {
    const staffOnly = requireStaff(ctx);
    acceptNdjson(app);
    for (const kind of kinds) {
      // Typed as any schema: the id key differs by kind, and the features' result types are checked where they are made.
      const LineResultSchema: TSchema = Type.Object({
        line: Type.Integer({ description: 'The n-th record of the request, from 1' }),
        externalId: Type.Union([Type.String(), Type.Null()]),
        result: Type.Union([Outcome, Type.Literal('error')]),
        ...Object.fromEntries(kind.idKeys.map((key) => [key, Type.Optional(Type.String())])),
        error: Type.Optional(Type.Object({ code: Type.String(), message: Messages, field: Type.Optional(Type.String()) })),
      });

      const SingleAnswer: TSchema = Type.Object({
        result: Outcome,
        ...Object.fromEntries(kind.idKeys.map((key) => [key, Type.String()])),
        externalId: Type.String(),
      });

      app.put(
        `${kind.path}/by-external-id`,
        {
          schema: {
            tags: kind.tags,
            summary: `Upsert one of the clinic's ${kind.noun} by the clinic system's id (externalId); the same call twice answers unchanged`,
            description: kind.description,
            params: Params,
            body: kind.input,
            response: { 200: SingleAnswer },
          },
          onRequest: staffOnly,
        },
        async (request) => {
          requireClinicRole(staffOf(request), request.params.clinicId);
          const { line: _line, ...done } = onlyResult(await kind.upsert(ctx.db, request.params.clinicId, [request.body], staffActor(request), ctx.clock.now()));
          return done;
        },
      );

      app.post(
        `${kind.path}/bulk`,
        {
          schema: {
            tags: kind.tags,
            summary: `Upsert up to ${MAX_LINES} ${kind.noun}: a JSON array, or NDJSON (${NDJSON}) answered as NDJSON; one result per line`,
            description: `Each line is all-or-nothing: created, updated, unchanged, or the error of that line alone. ${kind.description}`,
            params: Params,
            body: Type.Array(Type.Unknown(), { maxItems: MAX_LINES }),
            consumes: ['application/json', NDJSON],
            response: {
              200: Type.Union([
                Type.Object({ results: Type.Array(LineResultSchema) }),
                Type.String({ description: 'NDJSON: one line result per line, in order' }),
              ]),
            },
          },
          bodyLimit: BULK_BODY_LIMIT,
          onRequest: staffOnly,
        },
        async (request, reply) => {
          requireClinicRole(staffOf(request), request.params.clinicId);
          if (request.body.length > MAX_LINES) throw tooMany();
          const results = await kind.upsert(ctx.db, request.params.clinicId, request.body, staffActor(request), ctx.clock.now());
          if (request.headers['content-type']?.startsWith(NDJSON)) {
            return reply.type(NDJSON).send(results.map((r) => JSON.stringify(r)).join('\n') + '\n');
          }
          return { results };
        },
      );
    }
  };
}
