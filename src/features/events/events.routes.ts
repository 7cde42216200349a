import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.ts';
import { errors } from '../../errors.ts';
import { requireStaff, staffOf } from '../../http/staff-auth.ts';
import { EVENT_TYPES } from './events.ts';
import { eventsAfter, type FeedPosition } from './events.repository.ts';

export const Event = Type.Object({
  id: Type.String({ description: 'Unique per event; also its position in the feed' }),
  type: Type.Union(EVENT_TYPES.map((t) => Type.Literal(t))),
  occurredAt: Type.String({ format: 'date-time' }),
  clinicId: Type.String(),
  data: Type.Record(Type.String(), Type.String(), { description: 'Ids only (patientId, requestId, threadId, ...)' }),
});

const CURSOR = /^(\d{1,20})\.(\d{1,19})$/;
export const cursorOf = (e: { xid: string; id: number }) => `${e.xid}.${e.id}`;

function parseCursor(cursor: string | undefined): FeedPosition | null {
  if (cursor === undefined || cursor === '') return null;
  const match = CURSOR.exec(cursor);
  if (!match?.[1] || !match[2]) throw errors.validation('after', { da: 'Ugyldig cursor.', en: 'Invalid cursor.' });
  return { xid: match[1], id: Number(match[2]) };
}

export const eventsRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get(
    '/api/events',
    {
      schema: {
        tags: ['events'],
        summary: "Pull feed of the caller's clinics' events, oldest first; pass nextCursor as `after` to continue",
        description:
          'A client that stores nextCursor after processing a page never misses nor repeats an event: an event appears in ' +
          'the feed only once no older transaction can still commit one before it.',
        querystring: Type.Object({
          after: Type.Optional(Type.String({ maxLength: 50 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
          clinicId: Type.Optional(Type.String({ format: 'uuid' })),
        }),
        response: { 200: Type.Object({ events: Type.Array(Event), nextCursor: Type.Union([Type.String(), Type.Null()]) }) },
      },
      onRequest: requireStaff(ctx),
    },
    async (request) => {
      const mine = staffOf(request).clinics.map((c) => c.id);
      const { clinicId } = request.query;
      if (clinicId !== undefined && !mine.includes(clinicId)) throw errors.forbidden();
      const after = parseCursor(request.query.after);
      const rows = mine.length ? await eventsAfter(ctx.db, clinicId ? [clinicId] : mine, after, request.query.limit ?? 100) : [];
      const last = rows.at(-1);
      return {
        events: rows.map((r) => ({
          id: cursorOf(r),
          type: r.type as (typeof EVENT_TYPES)[number],
          occurredAt: r.occurred_at.toISOString(),
          clinicId: r.clinic_id,
          data: r.data,
        })),
        nextCursor: last ? cursorOf(last) : (request.query.after ?? null),
      };
    },
  );
};
