import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.ts';
import type { FastifyRequest } from 'fastify';
import { requirePatient } from '../../http/patient-auth.ts';
import { patientOf } from '../patient-auth/patient-of.ts';
import { currentExport, downloadExport, requestExport } from './data-export.ts';

const DataExport = Type.Object({
  id: Type.String({ format: 'uuid' }),
  status: Type.Union([Type.Literal('pending'), Type.Literal('ready'), Type.Literal('expired'), Type.Literal('failed')]),
  requestedAt: Type.String({ format: 'date-time' }),
  readyAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  /** Until when the ZIP can be downloaded. */
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  /** The ZIP's size in bytes, once ready. */
  size: Type.Union([Type.Integer(), Type.Null()]),
});
const tags = ['patient profile'];

/** The logged-in patient as the actor, with the login id every export query is bound to. */
const ownerOf = (request: FastifyRequest) => ({ type: 'patient' as const, id: patientOf(request).accountId, ip: request.ip });

export const dataExportRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const patientOnly = requirePatient(ctx);

  app.get(
    '/api/patient/export',
    {
      schema: {
        tags,
        summary: '"Hent mine data": the newest export and its state (pending, ready until expiresAt, expired, failed), or null',
        response: { 200: Type.Object({ export: Type.Union([DataExport, Type.Null()]) }) },
      },
      onRequest: patientOnly,
    },
    async (request) => ({ export: await currentExport(ctx, ownerOf(request).id) }),
  );

  app.post(
    '/api/patient/export',
    {
      schema: {
        tags,
        summary: 'Ask for all my data as a ZIP; built in the background and mailed about when ready. While one is pending, that one is returned',
        response: { 202: Type.Object({ export: DataExport }) },
      },
      onRequest: patientOnly,
      // Each export reads the whole history: a few an hour per address is plenty for a person.
      config: { rateLimit: { max: 20, windowMs: 3_600_000 } },
    },
    async (request, reply) => reply.status(202).send({ export: await requestExport(ctx, ownerOf(request)) }),
  );

  app.get(
    '/api/patient/export/:exportId/download',
    {
      schema: {
        tags,
        summary: 'Download a ready export (application/zip), only with the session of its owner; 410 once expired',
        params: Type.Object({ exportId: Type.String({ format: 'uuid' }) }),
      },
      onRequest: patientOnly,
    },
    async (request, reply) => {
      const file = await downloadExport(ctx, ownerOf(request), request.params.exportId);
      return reply
        .type('application/zip')
        .header('Content-Length', String(file.size))
        .header('Content-Disposition', 'attachment; filename="patientportal-mine-data.zip"')
        .header('Cache-Control', 'no-store')
        .send(file.stream);
    },
  );
};
