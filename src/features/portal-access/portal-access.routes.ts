import { auditPatientRead } from '../audit/audit.ts';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import { requireClinicRole, requireStaff, staffActor, staffOf } from '../../http/staff-auth.ts';
import { Ok } from '../auth/staff-auth.schema.ts';
import {
  correctPendingEmail,
  createPortalAccess,
  endPortalAccess,
  getPortalState,
  resendActivation,
  sendNewPasswordLink,
  updatePortalAccess,
  type PortalScope,
} from './portal-access.ts';

const Params = Type.Object({ clinicId: Type.String({ format: 'uuid' }), patientId: Type.String({ format: 'uuid' }) });
const Right = Type.Union([Type.Literal('econsultation'), Type.Literal('booking'), Type.Literal('renewal')]);
const Rights = Type.Array(Right, { maxItems: 3, uniqueItems: true });

const PortalState = Type.Object({
  status: Type.Union([Type.Literal('none'), Type.Literal('pending_activation'), Type.Literal('active'), Type.Literal('stopped')]),
  email: Type.Union([Type.String(), Type.Null()]),
  rights: Rights,
  wantsElectronicReply: Type.Boolean(),
  offeredFunctions: Rights,
  activationSentAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  previouslyDeletedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  history: Type.Array(
    Type.Object({
      action: Type.String(),
      at: Type.String({ format: 'date-time' }),
      actorType: Type.String(),
      actorName: Type.Union([Type.String(), Type.Null()]),
      /** For "rights changed": what changed. */
      change: Type.Union([Type.Object({ added: Rights, removed: Rights, wantsElectronicReply: Type.Union([Type.Boolean(), Type.Null()]) }), Type.Null()]),
    }),
  ),
});

const tags = ['patientportal form'];

export const portalAccessRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const staffOnly = requireStaff(ctx);
  const base = '/api/clinics/:clinicId/patients/:patientId/portal';

  const scopeOf = (request: FastifyRequest, params: { clinicId: string; patientId: string }): PortalScope => {
    requireClinicRole(staffOf(request), params.clinicId);
    return {
      clinicId: params.clinicId,
      patientId: params.patientId,
      actor: staffActor(request),
      now: ctx.clock.now(),
      publicUrl: ctx.config.publicUrl,
    };
  };
  const present = async (scope: PortalScope) => {
    const state = await getPortalState(ctx.db, scope.clinicId, scope.patientId);
    return {
      ...state,
      activationSentAt: state.activationSentAt?.toISOString() ?? null,
      previouslyDeletedAt: state.previouslyDeletedAt?.toISOString() ?? null,
      history: state.history.map((h) => ({ ...h, at: h.at.toISOString() })),
    };
  };

  app.get(
    base,
    { schema: { tags, summary: 'The Patientportal form of a patient', params: Params, response: { 200: PortalState } }, onRequest: staffOnly },
    async (request) => {
      const scope = scopeOf(request, request.params);
      await auditPatientRead(ctx.db, scope.actor, scope.now, { action: 'portal_form.viewed', clinicId: scope.clinicId, patientId: scope.patientId });
      return present(scope);
    },
  );

  app.post(
    base,
    {
      schema: {
        tags,
        summary: 'Opret: give portal access and mail an activation link (or link an existing login)',
        params: Params,
        body: Type.Object({ email: Type.String({ maxLength: 254 }), rights: Rights, wantsElectronicReply: Type.Boolean() }),
        response: { 201: PortalState },
      },
      onRequest: staffOnly,
    },
    async (request, reply) => {
      const scope = scopeOf(request, request.params);
      await createPortalAccess(ctx.db, scope, request.body);
      return reply.status(201).send(await present(scope));
    },
  );

  app.put(
    base,
    {
      schema: {
        tags,
        summary: 'Change rights and "Ønsker svar elektronisk"',
        params: Params,
        body: Type.Object({ rights: Rights, wantsElectronicReply: Type.Boolean() }),
        response: { 200: PortalState },
      },
      onRequest: staffOnly,
    },
    async (request) => {
      const scope = scopeOf(request, request.params);
      await updatePortalAccess(ctx.db, scope, request.body);
      return present(scope);
    },
  );

  app.delete(
    base,
    {
      schema: { tags, summary: "Slet: end the patient's association with this clinic", params: Params, response: { 200: PortalState } },
      onRequest: staffOnly,
    },
    async (request) => {
      const scope = scopeOf(request, request.params);
      await endPortalAccess(ctx.db, scope);
      return present(scope);
    },
  );

  app.post(
    `${base}/resend-activation`,
    {
      schema: { tags, summary: 'Gensend: a new activation link; older links stop working', params: Params, response: { 200: PortalState } },
      onRequest: staffOnly,
    },
    async (request) => {
      const scope = scopeOf(request, request.params);
      await resendActivation(ctx.db, scope);
      return present(scope);
    },
  );

  app.put(
    `${base}/email`,
    {
      schema: {
        tags,
        summary: 'Ret e-mail while "Afventer aktivering": older activation links stop working; a new one goes to the corrected address',
        params: Params,
        body: Type.Object({ email: Type.String({ maxLength: 254 }) }),
        response: { 200: PortalState },
      },
      onRequest: staffOnly,
    },
    async (request) => {
      const scope = scopeOf(request, request.params);
      await correctPendingEmail(ctx.db, scope, request.body);
      return present(scope);
    },
  );

  app.post(
    `${base}/new-password`,
    { schema: { tags, summary: 'Ny kode: mail a link to choose a new password (1 hour)', params: Params, response: { 200: Ok } }, onRequest: staffOnly },
    async (request) => {
      await sendNewPasswordLink(ctx.db, scopeOf(request, request.params));
      return { ok: true };
    },
  );
};
