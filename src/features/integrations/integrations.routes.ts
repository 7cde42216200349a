import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.ts';
import { requireClinicRole, requireStaff, staffActor, staffOf } from '../../http/staff-auth.ts';
import { Ok } from '../auth/staff-auth.schema.ts';
import { createIntegration, revokeForClinic, rotateSecret } from './integrations.ts';
import { listForClinic } from './integrations.repository.ts';
import { SCOPES } from './scopes.ts';
import { tokenEndpointUrl } from './oauth.ts';

const Params = Type.Object({ clinicId: Type.String({ format: 'uuid' }) });
const IntegrationParams = Type.Object({ clinicId: Type.String({ format: 'uuid' }), integrationId: Type.String({ format: 'uuid' }) });
const ScopeSchema = Type.Union(SCOPES.map((s) => Type.Literal(s)));

const Integration = Type.Object({
  id: Type.String({ description: 'The OAuth client_id' }),
  name: Type.String(),
  kind: Type.Union([Type.Literal('clinic'), Type.Literal('vendor')]),
  scopes: Type.Array(Type.String()),
  usesPrivateKeyJwt: Type.Boolean(),
  clinics: Type.Array(Type.String(), { description: 'The names of the clinics it is granted (a vendor integration may have several)' }),
  createdAt: Type.String({ format: 'date-time' }),
  secretCreatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  previousSecretExpiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'Until then the secret before the last rotation still works',
  }),
  lastTokenAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'When it last got an access token' }),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

const Credentials = Type.Object({
  clientId: Type.String(),
  clientSecret: Type.String({ description: 'Shown this once; only a hash is kept' }),
  tokenUrl: Type.String(),
});

const Rotated = Type.Intersect([
  Credentials,
  Type.Object({ previousSecretExpiresAt: Type.String({ format: 'date-time', description: 'The old secret works until then' }) }),
]);

const tags = ['integrations'];
const MAX_OVERLAP_HOURS = 168;

/** Systemadgang (E-moduler): a clinic admin creates, lists, rotates and revokes the clinic's integrations. */
export const integrationsRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const staffOnly = requireStaff(ctx);
  const base = '/api/clinics/:clinicId/integrations';

  app.get(
    base,
    {
      schema: {
        tags,
        summary: "The clinic's integrations (clinic admin)",
        params: Params,
        response: { 200: Type.Object({ integrations: Type.Array(Integration) }) },
      },
      onRequest: staffOnly,
    },
    async (request) => {
      requireClinicRole(staffOf(request), request.params.clinicId, 'admin');
      const rows = await listForClinic(ctx.db, request.params.clinicId, ctx.clock.now());
      return {
        integrations: rows.map((r) => ({
          id: r.id,
          name: r.name,
          kind: r.kind,
          scopes: r.scopes,
          usesPrivateKeyJwt: r.public_jwk !== null,
          clinics: r.clinic_names ?? [],
          createdAt: r.created_at.toISOString(),
          secretCreatedAt: iso(r.secret_created_at),
          previousSecretExpiresAt: iso(r.previous_secret_expires_at),
          lastTokenAt: iso(r.last_token_at),
          revokedAt: iso(r.revoked_at),
        })),
      };
    },
  );

  app.post(
    base,
    {
      schema: {
        tags,
        summary: 'Create an integration for this clinic; the secret is shown once (clinic admin)',
        params: Params,
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 200 }),
          scopes: Type.Array(ScopeSchema, { minItems: 1, maxItems: SCOPES.length, uniqueItems: true }),
          publicJwk: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])),
        }),
        response: { 201: Credentials },
      },
      onRequest: staffOnly,
    },
    async (request, reply) => {
      requireClinicRole(staffOf(request), request.params.clinicId, 'admin');
      const issued = await createIntegration(
        ctx.db,
        {
          name: request.body.name,
          scopes: request.body.scopes,
          clinicIds: [request.params.clinicId],
          publicJwk: request.body.publicJwk ?? null,
          kind: 'clinic',
        },
        staffActor(request),
        ctx.clock.now(),
      );
      return reply.status(201).send({ ...issued, tokenUrl: tokenEndpointUrl(ctx) });
    },
  );

  app.post(
    `${base}/:integrationId/rotate-secret`,
    {
      schema: {
        tags,
        summary: 'A new secret; the old one keeps working for overlapHours (default 24) (clinic admin)',
        params: IntegrationParams,
        body: Type.Object({ overlapHours: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_OVERLAP_HOURS })) }),
        response: { 200: Rotated },
      },
      onRequest: staffOnly,
    },
    async (request) => {
      const { clinicId, integrationId } = request.params;
      requireClinicRole(staffOf(request), clinicId, 'admin');
      const overlapMs = (request.body.overlapHours ?? 24) * 3_600_000;
      const now = ctx.clock.now();
      const issued = await rotateSecret(ctx.db, integrationId, clinicId, overlapMs, staffActor(request), now);
      return { ...issued, tokenUrl: tokenEndpointUrl(ctx), previousSecretExpiresAt: new Date(now.getTime() + overlapMs).toISOString() };
    },
  );

  app.delete(
    `${base}/:integrationId`,
    {
      schema: {
        tags,
        summary: "Revoke at once (a vendor's integration loses this clinic's grant) (clinic admin)",
        params: IntegrationParams,
        response: { 200: Ok },
      },
      onRequest: staffOnly,
    },
    async (request) => {
      const { clinicId, integrationId } = request.params;
      requireClinicRole(staffOf(request), clinicId, 'admin');
      await revokeForClinic(ctx.db, integrationId, clinicId, staffActor(request), ctx.clock.now());
      return { ok: true };
    },
  );
};
