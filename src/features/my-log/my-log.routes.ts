import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.ts';
import { errors } from '../../errors.ts';
import { requirePatient } from '../../http/patient-auth.ts';
import { patientOf } from '../patient-auth/patient-of.ts';
import { presentEntry } from './my-log.ts';
import { myLogPage, personOfLogin } from './my-log.repository.ts';

const Text = Type.Object({ da: Type.String(), en: Type.String() });
const Entry = Type.Object({
  id: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  clinic: Type.Union([Type.String(), Type.Null()]),
  who: Type.Union([Type.Object({ name: Type.String(), role: Type.Union([Text, Type.Null()]) }), Type.Null()]),
  kind: Type.Union([Type.Literal('clinic'), Type.Literal('own')]),
  text: Text,
});

export const myLogRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get(
    '/api/patient/my-log',
    {
      schema: {
        tags: ['patient'],
        summary: 'Min log: who at the clinics viewed or changed my data, and my own security events, newest first',
        querystring: Type.Object({
          before: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 30 })),
        }),
        response: { 200: Type.Object({ entries: Type.Array(Entry), nextBefore: Type.Union([Type.Integer(), Type.Null()]) }) },
      },
      onRequest: requirePatient(ctx),
    },
    async (request) => {
      const { accountId } = patientOf(request);
      const account = await personOfLogin(ctx.db, accountId);
      if (!account) throw errors.unauthenticated();
      const limit = request.query.limit ?? 30;
      const rows = await myLogPage(ctx.db, { accountId, cpr: account.cpr }, request.query.before, limit);
      const last = rows.at(-1);
      return { entries: rows.map((row) => presentEntry(row, accountId)), nextBefore: rows.length === limit && last ? last.id : null };
    },
  );
};
