import { randomBytes } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import { AppError, errors } from '../../errors.ts';
import { requireStaff } from '../../http/staff-auth.ts';
import { audit } from '../audit/audit.ts';
import { EVENT_TYPES } from '../events/events.ts';
import { grantedClinics } from '../integrations/integrations.repository.ts';
import { deleteEndpoint, insertEndpoint, listDeliveries, listEndpoints, type EndpointRow } from './webhooks.repository.ts';

const EventType = Type.Union(EVENT_TYPES.map((t) => Type.Literal(t)));
export const Endpoint = Type.Object({
  id: Type.String(),
  url: Type.String(),
  eventTypes: Type.Array(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  failingSince: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  disabledAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export const Delivery = Type.Object({
  id: Type.Integer(),
  type: Type.String(),
  clinicId: Type.String(),
  status: Type.String(),
  attempts: Type.Integer(),
  lastStatusCode: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  nextAttemptAt: Type.String({ format: 'date-time' }),
  deliveredAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
const Params = Type.Object({ webhookId: Type.String({ format: 'uuid' }) });
const tags = ['webhooks'];
const iso = (d: Date | null) => d?.toISOString() ?? null;

export const presentEndpoint = (e: EndpointRow) => ({
  id: e.id,
  url: e.url,
  eventTypes: e.event_types,
  createdAt: e.created_at.toISOString(),
  failingSince: iso(e.failing_since),
  disabledAt: iso(e.disabled_at),
});

export const presentDelivery = (d: Awaited<ReturnType<typeof listDeliveries>>[number]) => ({
  id: d.id,
  type: d.type,
  clinicId: d.clinic_id,
  status: d.status,
  attempts: d.attempts,
  lastStatusCode: d.last_status_code,
  lastError: d.last_error,
  nextAttemptAt: d.next_attempt_at.toISOString(),
  deliveredAt: iso(d.delivered_at),
});

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** https only; plain http only to this machine and never in production. */
export function checkWebhookUrl(raw: string, nodeEnv: AppContext['config']['nodeEnv']): string {
  const refuse = () =>
    errors.validation('url', {
      da: 'Adressen skal være https (http kun til localhost uden for produktion).',
      en: 'The URL must be https (http only to localhost outside production).',
    });
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse();
  }
  if (url.username || url.password) throw refuse();
  if (url.protocol === 'https:') return url.toString();
  if (url.protocol === 'http:' && LOOPBACK.has(url.hostname) && nodeEnv !== 'production') return url.toString();
  throw refuse();
}

function integrationOf(request: FastifyRequest) {
  if (!request.integration) {
    throw new AppError(403, 'integration_only', { da: 'Kun en systemadgang kan registrere webhooks.', en: 'Only an integration can register webhooks.' });
  }
  return request.integration;
}

/** Webhooks are registered by the integration itself (bearer token, events:read). */
export const webhooksRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const auth = requireStaff(ctx);

  app.post(
    '/api/webhooks',
    {
      schema: {
        tags,
        summary: "Register a webhook for the integration's clinics; the signing secret (Standard Webhooks) is shown once",
        body: Type.Object({ url: Type.String({ maxLength: 2000 }), eventTypes: Type.Array(EventType, { minItems: 1, uniqueItems: true }) }),
        response: { 201: Type.Intersect([Endpoint, Type.Object({ secret: Type.String({ description: 'whsec_...: verify webhook-signature with it' }) })]) },
      },
      onRequest: auth,
    },
    async (request, reply) => {
      const integration = integrationOf(request);
      const url = checkWebhookUrl(request.body.url, ctx.config.nodeEnv);
      const secret = `whsec_${randomBytes(32).toString('base64')}`;
      const now = ctx.clock.now();
      const id = await ctx.db.transaction().execute(async (trx) => {
        const endpointId = await insertEndpoint(trx, { integrationId: integration.id, url, eventTypes: request.body.eventTypes, secret, now });
        for (const clinic of await grantedClinics(trx, integration.id)) {
          await audit(trx, { type: 'integration', id: integration.id, ip: request.ip }, now, {
            action: 'webhook.registered',
            clinicId: clinic.id,
            details: { webhookId: endpointId, url },
          });
        }
        return endpointId;
      });
      return reply
        .status(201)
        .send({ id, url, eventTypes: request.body.eventTypes, createdAt: now.toISOString(), failingSince: null, disabledAt: null, secret });
    },
  );

  app.get(
    '/api/webhooks',
    { schema: { tags, summary: "The integration's webhooks", response: { 200: Type.Object({ webhooks: Type.Array(Endpoint) }) } }, onRequest: auth },
    async (request) => ({
      webhooks: (await listEndpoints(ctx.db, integrationOf(request).id)).map(presentEndpoint),
    }),
  );

  app.get(
    '/api/webhooks/:webhookId/deliveries',
    {
      schema: {
        tags,
        summary: 'The delivery log of a webhook, newest first: status, attempts, last error',
        params: Params,
        response: { 200: Type.Object({ deliveries: Type.Array(Delivery) }) },
      },
      onRequest: auth,
    },
    async (request) => ({
      deliveries: (await listDeliveries(ctx.db, integrationOf(request).id, request.params.webhookId, 200)).map(presentDelivery),
    }),
  );

  app.delete(
    '/api/webhooks/:webhookId',
    { schema: { tags, summary: 'Remove a webhook', params: Params, response: { 200: Type.Object({ ok: Type.Boolean() }) } }, onRequest: auth },
    async (request) => {
      if (!(await deleteEndpoint(ctx.db, integrationOf(request).id, request.params.webhookId))) throw errors.notFound();
      return { ok: true };
    },
  );
};
