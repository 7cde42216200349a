import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.ts';
import { errors } from '../../errors.ts';
import { requireClinicRole, requireStaff, staffOf } from '../../http/staff-auth.ts';
import { findIntegrationForClinic } from '../integrations/integrations.repository.ts';
import { listDeliveries, listEndpoints } from './webhooks.repository.ts';
import { Delivery, Endpoint, presentDelivery, presentEndpoint } from './webhooks.routes.ts';

const RECENT_DELIVERIES = 20;

/**
 * Systemadgang shows a clinic admin the webhooks of the clinic's integrations and their recent
 * deliveries: the admin is the one mailed when a webhook is disabled after a day of failures, and
 * needs to see why. Only this clinic's deliveries (a vendor integration also serves others); events
 * are thin, so the log holds ids, types and the receiver's error, never health data.
 */
export const webhookLogRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get(
    '/api/clinics/:clinicId/integrations/:integrationId/webhooks',
    {
      schema: {
        tags: ['integrations'],
        summary: `An integration's webhooks with their ${String(RECENT_DELIVERIES)} latest deliveries to this clinic (clinic admin)`,
        params: Type.Object({ clinicId: Type.String({ format: 'uuid' }), integrationId: Type.String({ format: 'uuid' }) }),
        response: { 200: Type.Object({ webhooks: Type.Array(Type.Intersect([Endpoint, Type.Object({ deliveries: Type.Array(Delivery) })])) }) },
      },
      onRequest: requireStaff(ctx),
    },
    async (request) => {
      const { clinicId, integrationId } = request.params;
      requireClinicRole(staffOf(request), clinicId, 'admin');
      if (!(await findIntegrationForClinic(ctx.db, integrationId, clinicId))) throw errors.notFound();
      const endpoints = await listEndpoints(ctx.db, integrationId);
      const webhooks = [];
      for (const endpoint of endpoints) {
        const deliveries = await listDeliveries(ctx.db, integrationId, endpoint.id, RECENT_DELIVERIES, clinicId);
        webhooks.push({ ...presentEndpoint(endpoint), deliveries: deliveries.map(presentDelivery) });
      }
      return { webhooks };
    },
  );
};
