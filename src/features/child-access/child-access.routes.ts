import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.ts';
import { requirePatient } from '../../http/patient-auth.ts';
import { requireClinicRole, requireStaff, staffActor, staffOf } from '../../http/staff-auth.ts';
import { Ok } from '../auth/staff-auth.schema.ts';
import { auditPatientRead } from '../audit/audit.ts';
import { patientOf } from '../patient-auth/patient-of.ts';
import type { PatientSession } from '../patient-auth/patient-sessions.ts';
import { childrenOf, endChildAccessFor, grantChildAccess, switchActingFor, type ChildOfParent } from './child-access.ts';
import { liveChildAccess } from './child-access.repository.ts';
import { requestChildAccess } from './parent-request.ts';
import { endedFuldmagtOf, receivedFuldmagter, stopActingForFuldmagt, switchToFuldmagt } from '../fuldmagt/fuldmagt-scope.ts';
import { ReceivedFuldmagt } from '../fuldmagt/fuldmagt.schema.ts';

const Right = Type.Union([Type.Literal('econsultation'), Type.Literal('booking'), Type.Literal('renewal')]);
const PatientParams = Type.Object({ clinicId: Type.String({ format: 'uuid' }), patientId: Type.String({ format: 'uuid' }) });
const ParentAccess = Type.Object({
  active: Type.Boolean(),
  rights: Type.Array(Right),
  wantsElectronicReply: Type.Boolean(),
  holders: Type.Integer({ description: 'How many custody holders the custody source named at the last lookup' }),
  requestedByParent: Type.Boolean(),
});
const Child = Type.Object({
  childId: Type.String({ description: 'Name this to switch to the child' }),
  name: Type.String(),
  givenName: Type.String(),
  age: Type.Integer(),
  status: Type.Union([Type.Literal('available'), Type.Literal('turned_15'), Type.Literal('custody_unavailable')]),
  clinics: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), rights: Type.Array(Right) })),
});
const ActingFor = Type.Object({
  children: Type.Array(Child),
  actingFor: Type.Union([Child, Type.Null()], { description: 'The child the session acts for now, or null' }),
  mitid: Type.Boolean({ description: 'Whether the session was opened with MitID (needed to act for a child)' }),
  fuldmagter: Type.Array(ReceivedFuldmagt, { description: 'Fuldmagter offered to or accepted by this MitID login' }),
  actingForFuldmagt: Type.Union([ReceivedFuldmagt, Type.Null()], { description: 'The fuldmagt the session acts under now, or null' }),
  fuldmagtEnded: Type.Union([Type.Object({ giverName: Type.String() }), Type.Null()], {
    description:
      'The session still acts under a fuldmagt that was revoked, given up or has expired (requests are refused); PUT childId null to act for oneself again',
  }),
});

export const childAccessRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const patientOnly = requirePatient(ctx);
  const staffOnly = requireStaff(ctx);
  const base = '/api/clinics/:clinicId/patients/:patientId/parent-access';

  /** The CPR number stays on the server: the parent names a child by childId. */
  const present = ({ clinics, cpr: _cpr, ...child }: ChildOfParent) => ({ ...child, clinics: clinics.map(({ id, name, rights }) => ({ id, name, rights })) });
  const actingForState = async (session: PatientSession, isCurrent: (child: ChildOfParent) => boolean) => {
    const children = await childrenOf(ctx, session);
    const current = session.actingForFuldmagtId ? undefined : children.find(isCurrent);
    const fuldmagter = await receivedFuldmagter(ctx, session);
    return {
      children: children.map(present),
      actingFor: current ? present(current) : null,
      mitid: session.mitid !== null,
      fuldmagter,
      // A revoked or expired fuldmagt is no longer listed: the banner says it ended and offers the way back,
      // and the next request under it says why.
      actingForFuldmagt: fuldmagter.find((f) => f.id === session.actingForFuldmagtId && f.status === 'accepted') ?? null,
      fuldmagtEnded: await endedFuldmagtOf(ctx, session, fuldmagter),
    };
  };

  app.get(
    '/api/patient/acting-for',
    {
      schema: {
        tags: ['acting for others'],
        summary: 'The children under 15 this MitID login may act for, and whom it acts for now',
        response: { 200: ActingFor },
      },
      onRequest: patientOnly,
    },
    async (request) => {
      const session = patientOf(request);
      return actingForState(session, (child) => child.cpr === session.actingForCpr);
    },
  );

  app.put(
    '/api/patient/acting-for',
    {
      schema: {
        tags: ['acting for others'],
        summary: 'Act for a child or under a fuldmagt (checked again on every request), or for oneself with childId null',
        body: Type.Object({
          childId: Type.Optional(Type.Union([Type.String({ format: 'uuid' }), Type.Null()])),
          fuldmagtId: Type.Optional(Type.String({ format: 'uuid', description: 'An accepted fuldmagt to act under' })),
        }),
        response: { 200: ActingFor },
      },
      onRequest: patientOnly,
    },
    async (request) => {
      const { childId = null, fuldmagtId } = request.body;
      const session = patientOf(request);
      if (fuldmagtId) {
        await switchToFuldmagt(ctx, session, fuldmagtId, request.ip);
        return actingForState({ ...session, actingForCpr: null, actingForFuldmagtId: fuldmagtId }, () => false);
      }
      await switchActingFor(ctx, session, childId, request.ip);
      if (childId === null) await stopActingForFuldmagt(ctx, session);
      return actingForState({ ...session, actingForFuldmagtId: null }, (child) => child.childId === childId);
    },
  );

  app.post(
    '/api/patient/child-access-requests',
    {
      schema: {
        tags: ['acting for others'],
        summary: 'A custody holder (MitID) asks one of their own clinics for a child’s Forældreadgang; it lands in Loginbestillinger',
        body: Type.Object({
          clinicId: Type.String({ format: 'uuid' }),
          childCpr: Type.String({ minLength: 10, maxLength: 11, description: 'The child’s CPR number: in the body, never in a URL' }),
          childName: Type.String({ minLength: 3, maxLength: 200 }),
        }),
        response: { 200: Type.Object({ requestId: Type.String(), alreadyOpen: Type.Boolean() }) },
      },
      onRequest: patientOnly,
    },
    async (request) => requestChildAccess(ctx, patientOf(request), request.body, request.ip),
  );

  app.get(
    base,
    {
      schema: {
        tags: ['portal access'],
        summary: 'Forældreadgang: the child’s access for its custody holders',
        params: PatientParams,
        response: { 200: ParentAccess },
      },
      onRequest: staffOnly,
    },
    async (request) => {
      const { clinicId, patientId } = request.params;
      requireClinicRole(staffOf(request), clinicId);
      await auditPatientRead(ctx.db, staffActor(request), ctx.clock.now(), { action: 'child_access.viewed', clinicId, patientId });
      const live = await liveChildAccess(ctx.db, clinicId, patientId);
      return {
        active: Boolean(live),
        rights: live?.rights ?? [],
        wantsElectronicReply: live?.wants_electronic_reply ?? false,
        holders: live?.holder_cprs.length ?? 0,
        requestedByParent: Boolean(live?.requested_by_account_id),
      };
    },
  );

  app.put(
    base,
    {
      schema: {
        tags: ['portal access'],
        summary: 'Give or change Forældreadgang (no login is made for the child; custody is looked up now)',
        params: PatientParams,
        body: Type.Object({ rights: Type.Array(Right, { uniqueItems: true, maxItems: 3 }), wantsElectronicReply: Type.Boolean() }),
        response: { 200: Type.Object({ rights: Type.Array(Right), holders: Type.Integer() }) },
      },
      onRequest: staffOnly,
    },
    async (request) => {
      const { clinicId, patientId } = request.params;
      requireClinicRole(staffOf(request), clinicId);
      return grantChildAccess(ctx, clinicId, patientId, request.body, staffActor(request));
    },
  );

  app.delete(
    base,
    { schema: { tags: ['portal access'], summary: 'End Forældreadgang at this clinic', params: PatientParams, response: { 200: Ok } }, onRequest: staffOnly },
    async (request) => {
      const { clinicId, patientId } = request.params;
      requireClinicRole(staffOf(request), clinicId);
      await endChildAccessFor(ctx, clinicId, patientId, staffActor(request));
      return { ok: true };
    },
  );
};
