import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.ts';
import { requireClinicRole, requireStaff, requireSupport, staffActor, staffOf } from '../../http/staff-auth.ts';
import { getClinicSettings, setAutoApprovalAllowed, updateClinicSettings } from './clinic-settings.ts';

const Params = Type.Object({ clinicId: Type.String({ format: 'uuid' }) });
const Right = Type.Union([Type.Literal('econsultation'), Type.Literal('booking'), Type.Literal('renewal')]);
const Specialty = Type.Union([Type.Literal('almen_praksis'), Type.Literal('speciallaege')]);
const SelfRegistration = Type.Union([Type.Literal('none'), Type.Literal('manual'), Type.Literal('automatic')]);
const SettingsInput = Type.Object({
  specialty: Specialty,
  ydernummer: Type.Union([Type.String({ maxLength: 6 }), Type.Null()]),
  usesMitid: Type.Boolean(),
  selfRegistration: SelfRegistration,
  offeredFunctions: Type.Array(Right, { uniqueItems: true, maxItems: 3 }),
  econsultationMaxLength: Type.Integer({ minimum: 50, maximum: 10000 }),
  bookingMinHoursAhead: Type.Integer({ minimum: 0, maximum: 720, description: 'E-tidsbestilling: earliest booking, hours ahead' }),
  bookingMaxDaysAhead: Type.Integer({ minimum: 1, maximum: 365, description: 'E-tidsbestilling: latest booking, days ahead' }),
  parentsMayActForChildren: Type.Optional(
    Type.Boolean({ description: 'Forældre kan handle for børn under 15 (default: on for almen praksis, off for speciallæger); absent: unchanged' }),
  ),
  acceptsPowerOfAttorney: Type.Optional(Type.Boolean({ description: 'Modtager fuldmagter (default on); off refuses fuldmagt receivers; absent: unchanged' })),
});
const Settings = Type.Intersect([
  SettingsInput,
  Type.Object({
    name: Type.String(),
    slug: Type.String(),
    autoApprovalAllowed: Type.Boolean(),
    parentsMayActForChildren: Type.Boolean(),
    acceptsPowerOfAttorney: Type.Boolean(),
  }),
]);
const tags = ['clinic settings'];

export const clinicSettingsRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const staffOnly = requireStaff(ctx);

  app.get(
    '/api/clinics/:clinicId/settings',
    { schema: { tags, summary: "The clinic's E-moduler settings", params: Params, response: { 200: Settings } }, onRequest: staffOnly },
    async (request) => {
      requireClinicRole(staffOf(request), request.params.clinicId);
      return getClinicSettings(ctx.db, request.params.clinicId);
    },
  );

  app.put(
    '/api/clinics/:clinicId/settings',
    {
      schema: { tags, summary: 'Change the settings (clinic admin)', params: Params, body: SettingsInput, response: { 200: Settings } },
      onRequest: staffOnly,
    },
    async (request) => {
      requireClinicRole(staffOf(request), request.params.clinicId, 'admin');
      await updateClinicSettings(ctx.db, request.params.clinicId, request.body, staffActor(request), ctx.clock.now());
      return getClinicSettings(ctx.db, request.params.clinicId);
    },
  );

  app.put(
    '/api/support/clinics/:clinicId/auto-approval',
    {
      schema: {
        tags: ['support'],
        summary: 'Allow or forbid automatic approval for a clinic (vendor support only)',
        params: Params,
        body: Type.Object({ allowed: Type.Boolean() }),
        response: { 200: Settings },
      },
      onRequest: staffOnly,
    },
    async (request) => {
      requireSupport(staffOf(request));
      await setAutoApprovalAllowed(ctx.db, request.params.clinicId, request.body.allowed, staffActor(request), ctx.clock.now());
      return getClinicSettings(ctx.db, request.params.clinicId);
    },
  );
};
