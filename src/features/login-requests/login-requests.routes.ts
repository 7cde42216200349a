import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.ts';
import { errors } from '../../errors.ts';
import { requireStaff, staffActor, staffOf } from '../../http/staff-auth.ts';
import { maskCpr } from '../patients/cpr.ts';
import { approveRequest, rejectRequest } from './handle-request.ts';
import { openRequestView } from './queue-view.ts';
import { countOpenRequests, listHandledRequests, listOpenRequests } from './queue.repository.ts';

const Right = Type.Union([Type.Literal('econsultation'), Type.Literal('booking'), Type.Literal('renewal')]);
const Rights = Type.Array(Right, { uniqueItems: true, maxItems: 3 });
const tags = ['login requests'];
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

const OpenRequest = Type.Object({
  id: Type.String(),
  clinicId: Type.String(),
  clinicName: Type.String(),
  receivedAt: Type.String({ format: 'date-time' }),
  name: Type.String(),
  maskedCpr: Type.String(),
  email: Type.String(),
  phone: Nullable(Type.String()),
  knownPatient: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]),
  identityVerified: Type.Union([Type.Literal('mitid'), Type.Literal('none')]),
  reason: Type.String(),
  registryAnswer: Nullable(Type.String()),
  requestedByParent: Nullable(
    Type.String({ description: 'Anmodet af forælder: the custody holder who asked for the child’s Forældreadgang (MitID name); null when the patient asked' }),
  ),
  previouslyHadAccess: Type.Boolean({ description: 'Deleted membership or deleted login: the red "!"' }),
  presetRights: Rights,
  previousAccess: Type.Union(
    [
      Type.Object({
        endedBy: Type.Union([Type.Literal('clinic'), Type.Literal('patient')], {
          description: 'clinic: the clinic deleted the access; patient: the patient deleted their login',
        }),
        endedAt: Type.String({ format: 'date-time' }),
      }),
      Type.Null(),
    ],
    { description: 'Who ended the earlier access and when, said in words beside the red "!"' },
  ),
});

const HandledRequest = Type.Object({
  id: Type.String(),
  clinicId: Type.String(),
  clinicName: Type.String(),
  receivedAt: Type.String({ format: 'date-time' }),
  handledAt: Type.String({ format: 'date-time' }),
  handledBy: Nullable(Type.String()),
  name: Type.String(),
  maskedCpr: Type.String(),
  email: Type.String(),
  outcome: Type.Union([Type.Literal('approved'), Type.Literal('rejected')]),
  reason: Type.String(),
  rejectionReason: Nullable(Type.String()),
  grantedRights: Type.Union([Rights, Type.Null()]),
  patientId: Nullable(Type.String()),
  requestedByParent: Nullable(
    Type.String({ description: 'Anmodet af forælder: the custody holder who asked for the child’s Forældreadgang (MitID name); null when the patient asked' }),
  ),
});

export const loginRequestsRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const staffOnly = requireStaff(ctx);
  const clinicsOf = (request: Parameters<typeof staffOf>[0], filter?: string) => {
    const mine = staffOf(request).clinics.map((c) => c.id);
    // Support (and a user of no clinic) handles no clinic's queue.
    if (mine.length === 0) throw errors.forbidden();
    if (!filter) return mine;
    if (!mine.includes(filter)) throw errors.forbidden();
    return [filter];
  };

  // The one who handles a request: the staff member and the clinics whose queue they handle.
  const handlerOf = (request: Parameters<typeof staffOf>[0]) => {
    const clinicIds = clinicsOf(request);
    return { actor: staffActor(request), clinics: staffOf(request).clinics.filter((c) => clinicIds.includes(c.id)) };
  };

  app.get(
    '/api/login-requests',
    {
      schema: {
        tags,
        summary: 'Loginbestillinger: open requests oldest first (or handled, newest first), keyset-paged',
        querystring: Type.Object({
          status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('handled')])),
          clinicId: Type.Optional(Type.String({ format: 'uuid' })),
          cursor: Type.Optional(Type.String({ maxLength: 200 })),
        }),
        response: {
          200: Type.Object({
            open: Type.Optional(Type.Array(OpenRequest)),
            handled: Type.Optional(Type.Array(HandledRequest)),
            nextCursor: Nullable(Type.String()),
          }),
        },
      },
      onRequest: staffOnly,
    },
    async (request) => {
      const clinicIds = clinicsOf(request, request.query.clinicId);
      if (request.query.status === 'handled') {
        const { rows, nextCursor } = await listHandledRequests(ctx.db, clinicIds, request.query.cursor);
        return {
          handled: rows.map((r) => {
            if (!r.handled_at) throw new Error(`login request ${r.id} is listed as handled but has no handled_at`);
            return {
              id: r.id,
              clinicId: r.clinic_id,
              clinicName: r.clinic_name,
              receivedAt: r.created_at.toISOString(),
              handledAt: r.handled_at.toISOString(),
              handledBy: r.handled_by_name,
              name: r.name,
              maskedCpr: maskCpr(r.cpr),
              email: r.email,
              outcome: r.status as 'approved' | 'rejected',
              reason: r.reason,
              rejectionReason: r.rejection_reason,
              grantedRights: r.granted_rights,
              patientId: r.patient_id,
              requestedByParent: r.requested_by_name,
            };
          }),
          nextCursor,
        };
      }
      const { rows, nextCursor } = await listOpenRequests(ctx.db, clinicIds, request.query.cursor);
      return {
        open: rows.map(openRequestView),
        nextCursor,
      };
    },
  );

  app.get(
    '/api/login-requests/summary',
    {
      schema: {
        tags,
        summary: 'Number of open requests per clinic (for the menu)',
        response: { 200: Type.Object({ clinics: Type.Array(Type.Object({ clinicId: Type.String(), open: Type.Integer() })) }) },
      },
      onRequest: staffOnly,
    },
    async (request) => ({ clinics: await countOpenRequests(ctx.db, clinicsOf(request)) }),
  );

  app.post(
    '/api/login-requests/:requestId/approve',
    {
      schema: {
        tags,
        summary: 'Opret: approve with the ticked rights (identityChecked required when not verified by MitID)',
        params: Type.Object({ requestId: Type.String({ format: 'uuid' }) }),
        body: Type.Object({ rights: Rights, identityChecked: Type.Optional(Type.Boolean()) }),
        response: { 200: Type.Object({ patientId: Type.String() }) },
      },
      onRequest: staffOnly,
    },
    async (request) =>
      approveRequest(
        ctx,
        request.params.requestId,
        { rights: request.body.rights, identityChecked: request.body.identityChecked ?? false },
        handlerOf(request),
      ),
  );

  app.post(
    '/api/login-requests/:requestId/reject',
    {
      schema: {
        tags,
        summary: 'Afvis: reject, with an optional reason that is mailed to the patient',
        params: Type.Object({ requestId: Type.String({ format: 'uuid' }) }),
        body: Type.Object({ reason: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])) }),
        response: { 200: Type.Object({ ok: Type.Boolean() }) },
      },
      onRequest: staffOnly,
    },
    async (request) => {
      await rejectRequest(ctx, request.params.requestId, request.body.reason ?? null, handlerOf(request));
      return { ok: true };
    },
  );
};
