import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.ts';
import { databaseAnswers } from '../../db/database.ts';

export const healthRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const Health = Type.Object({ status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]), database: Type.Boolean() });
  app.get(
    '/health',
    { schema: { tags: ['health'], summary: '200 when the database answers, 503 otherwise', response: { 200: Health, 503: Health } } },
    async (_request, reply) => {
      const database = await databaseAnswers(ctx.db);
      return reply.status(database ? 200 : 503).send({ status: database ? 'ok' : 'unavailable', database });
    },
  );
};
