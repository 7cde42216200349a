import { auditPatientRead } from '../audit/audit.ts';
import { nameWithTypeExtension } from './attachments.ts';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.ts';
import { requirePatient } from '../../http/patient-auth.ts';
import { requireClinicRole, requireStaff, staffActor, staffOf } from '../../http/staff-auth.ts';
import { ActedByDescription, actedByLabel, patientScope } from '../portal-functions/patient-scope.ts';
import { patientOf } from '../patient-auth/patient-of.ts';
import type { PatientSession } from '../patient-auth/patient-sessions.ts';
import {
  attachmentFor,
  clinicInbox,
  clinicReply,
  clinicThread,
  markClinicThreadRead,
  markPatientThreadRead,
  closeThread,
  patientReply,
  patientThread,
  patientThreads,
  startThread,
} from './econsultation.ts';

const ClinicParams = Type.Object({ clinicId: Type.String({ format: 'uuid' }) });
const ThreadParams = Type.Object({ clinicId: Type.String({ format: 'uuid' }), threadId: Type.String({ format: 'uuid' }) });
const AttachmentParams = Type.Object({ clinicId: Type.String({ format: 'uuid' }), attachmentId: Type.String({ format: 'uuid' }) });
const Attachments = Type.Optional(
  Type.Array(Type.Object({ filename: Type.String({ maxLength: 200 }), data: Type.String({ description: 'base64' }) }), { maxItems: 3 }),
);
// Three files of 10 MB in base64, and the text.
const ATTACHMENT_BODY_LIMIT = 42 * 1024 * 1024;
const Message = Type.Object({
  id: Type.String(),
  sender: Type.Union([Type.Literal('patient'), Type.Literal('clinic')]),
  body: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  readAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  staffName: Type.Union([Type.String(), Type.Null()]),
  actedBy: Type.Union([Type.String(), Type.Null()], { description: ActedByDescription }),
  attachments: Type.Array(Type.Object({ id: Type.String(), filename: Type.String(), contentType: Type.String(), size: Type.Integer() })),
});
const Thread = Type.Object({ id: Type.String(), subject: Type.String(), status: Type.String(), messages: Type.Array(Message) });
const tags = ['e-konsultation'];

const presentThread = (t: Awaited<ReturnType<typeof patientThread>>) => ({
  id: t.id,
  subject: t.subject,
  status: t.status,
  messages: t.messages.map((m) => ({
    id: m.id,
    sender: m.sender,
    body: m.body,
    createdAt: m.created_at.toISOString(),
    readAt: m.read_at?.toISOString() ?? null,
    staffName: m.staff_name,
    actedBy: actedByLabel(m),
    attachments: m.attachments.map((a) => ({ id: a.id, filename: a.filename, contentType: a.content_type, size: a.size })),
  })),
});

export const econsultationRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const patientOnly = requirePatient(ctx);
  const staffOnly = requireStaff(ctx);
  const scopeOf = (session: PatientSession, clinicId: string) => patientScope(ctx, session, clinicId, 'econsultation');

  // --- patient side ---
  app.get(
    '/api/patient/clinics/:clinicId/econsultations',
    {
      schema: {
        tags,
        summary: "The patient's threads at a clinic (readable without the right: history stays)",
        params: ClinicParams,
        response: {
          200: Type.Object({
            canWrite: Type.Boolean(),
            maxLength: Type.Integer(),
            custodyNotice: Type.Boolean({ description: 'Under 15: custody holders can read along' }),
            threads: Type.Array(
              Type.Object({
                id: Type.String(),
                subject: Type.String(),
                status: Type.String(),
                lastMessageAt: Type.String({ format: 'date-time' }),
                unread: Type.Integer(),
              }),
            ),
          }),
        },
      },
      onRequest: patientOnly,
    },
    async (request) => {
      const scope = await scopeOf(patientOf(request), request.params.clinicId);
      const threads = await patientThreads(ctx, scope);
      return {
        canWrite: scope.rights.includes('econsultation'),
        maxLength: scope.econsultationMaxLength,
        custodyNotice: scope.under15,
        threads: threads.map((t) => ({
          id: t.id,
          subject: t.subject,
          status: t.status,
          lastMessageAt: t.last_message_at.toISOString(),
          unread: t.unread ?? 0,
        })),
      };
    },
  );

  app.post(
    '/api/patient/clinics/:clinicId/econsultations',
    {
      schema: {
        tags,
        summary: 'Ny e-konsultation (needs the right)',
        params: ClinicParams,
        body: Type.Object({ subject: Type.String({ maxLength: 200 }), body: Type.String({ maxLength: 20_000 }), attachments: Attachments }),
        response: { 201: Type.Object({ id: Type.String() }) },
      },
      bodyLimit: ATTACHMENT_BODY_LIMIT,
      onRequest: patientOnly,
    },
    async (request, reply) => {
      const scope = await scopeOf(patientOf(request), request.params.clinicId);
      return reply.status(201).send(await startThread(ctx, scope, request.body, request.ip));
    },
  );

  app.get(
    '/api/patient/clinics/:clinicId/econsultations/:threadId',
    {
      schema: { tags, summary: 'Read a thread (changes nothing: mark it read with POST …/read)', params: ThreadParams, response: { 200: Thread } },
      onRequest: patientOnly,
    },
    async (request) => {
      const scope = await scopeOf(patientOf(request), request.params.clinicId);
      return presentThread(await patientThread(ctx, scope, request.params.threadId));
    },
  );

  app.post(
    '/api/patient/clinics/:clinicId/econsultations/:threadId/read',
    {
      schema: {
        tags,
        summary: 'The thread was shown: the clinic’s messages are read',
        params: ThreadParams,
        response: { 200: Type.Object({ ok: Type.Boolean() }) },
      },
      onRequest: patientOnly,
    },
    async (request) => {
      const scope = await scopeOf(patientOf(request), request.params.clinicId);
      await markPatientThreadRead(ctx, scope, request.params.threadId);
      return { ok: true };
    },
  );

  app.post(
    '/api/patient/clinics/:clinicId/econsultations/:threadId/messages',
    {
      schema: {
        tags,
        summary: 'Besvar (needs the right)',
        params: ThreadParams,
        body: Type.Object({ body: Type.String({ maxLength: 20_000 }), attachments: Attachments }),
        response: { 201: Type.Object({ ok: Type.Boolean() }) },
      },
      bodyLimit: ATTACHMENT_BODY_LIMIT,
      onRequest: patientOnly,
    },
    async (request, reply) => {
      const scope = await scopeOf(patientOf(request), request.params.clinicId);
      await patientReply(ctx, scope, request.params.threadId, request.body, request.ip);
      return reply.status(201).send({ ok: true });
    },
  );

  app.get(
    '/api/patient/clinics/:clinicId/attachments/:attachmentId',
    { schema: { tags, summary: 'An attachment of one of the patient’s own threads', params: AttachmentParams }, onRequest: patientOnly },
    async (request, reply) => {
      const scope = await scopeOf(patientOf(request), request.params.clinicId);
      const file = await attachmentFor(ctx, request.params.attachmentId, { clinicId: scope.clinicId, patientId: scope.patientId });
      return reply
        .type(file.content_type)
        .header('Content-Disposition', `attachment; filename="${encodeURIComponent(nameWithTypeExtension(file.filename, file.content_type))}"`)
        .send(file.data);
    },
  );

  // --- clinic side ---
  app.get(
    '/api/clinics/:clinicId/econsultations',
    {
      schema: {
        tags,
        summary: "The clinic's e-konsultation inbox with unread counts",
        params: ClinicParams,
        response: {
          200: Type.Object({
            threads: Type.Array(
              Type.Object({
                id: Type.String(),
                subject: Type.String(),
                status: Type.String(),
                lastMessageAt: Type.String({ format: 'date-time' }),
                unread: Type.Integer(),
                patientId: Type.String(),
                patientName: Type.String(),
                actedBy: Type.Union([Type.String(), Type.Null()], {
                  description: 'Who wrote the latest patient message for the patient, e.g. "Mette Hansen (mor)"; null when the patient did',
                }),
              }),
            ),
          }),
        },
      },
      onRequest: staffOnly,
    },
    async (request) => {
      requireClinicRole(staffOf(request), request.params.clinicId);
      const threads = await clinicInbox(ctx, request.params.clinicId);
      return {
        threads: threads.map((t) => ({
          id: t.id,
          subject: t.subject,
          status: t.status,
          lastMessageAt: t.last_message_at.toISOString(),
          unread: t.unread ?? 0,
          patientId: t.patient_id,
          patientName: `${t.given_name} ${t.family_name}`,
          actedBy: t.acted_by,
        })),
      };
    },
  );

  app.get(
    '/api/clinics/:clinicId/econsultations/:threadId',
    {
      schema: { tags, summary: 'Read a thread (audited; mark it read with POST …/read)', params: ThreadParams, response: { 200: Thread } },
      onRequest: staffOnly,
    },
    async (request) => {
      requireClinicRole(staffOf(request), request.params.clinicId);
      return presentThread(await clinicThread(ctx, request.params.clinicId, request.params.threadId, staffActor(request)));
    },
  );

  app.post(
    '/api/clinics/:clinicId/econsultations/:threadId/read',
    {
      schema: {
        tags,
        summary: 'The thread was shown: the patient’s messages are read',
        params: ThreadParams,
        response: { 200: Type.Object({ ok: Type.Boolean() }) },
      },
      onRequest: staffOnly,
    },
    async (request) => {
      requireClinicRole(staffOf(request), request.params.clinicId);
      await markClinicThreadRead(ctx, request.params.clinicId, request.params.threadId);
      return { ok: true };
    },
  );

  app.post(
    '/api/clinics/:clinicId/econsultations/:threadId/messages',
    {
      schema: {
        tags,
        summary: 'Answer; mails a notice (never the content) when the patient wants electronic answers',
        params: ThreadParams,
        body: Type.Object({ body: Type.String({ maxLength: 20_000 }) }),
        response: { 201: Type.Object({ ok: Type.Boolean() }) },
      },
      onRequest: staffOnly,
    },
    async (request, reply) => {
      requireClinicRole(staffOf(request), request.params.clinicId);
      await clinicReply(ctx, request.params.clinicId, request.params.threadId, request.body.body, staffActor(request));
      return reply.status(201).send({ ok: true });
    },
  );

  app.post(
    '/api/clinics/:clinicId/econsultations/:threadId/close',
    { schema: { tags, summary: 'Close a thread', params: ThreadParams, response: { 200: Type.Object({ ok: Type.Boolean() }) } }, onRequest: staffOnly },
    async (request) => {
      requireClinicRole(staffOf(request), request.params.clinicId);
      await closeThread(ctx, request.params.clinicId, request.params.threadId, staffActor(request));
      return { ok: true };
    },
  );

  app.get(
    '/api/clinics/:clinicId/attachments/:attachmentId',
    { schema: { tags, summary: 'An attachment in the clinic’s threads', params: AttachmentParams }, onRequest: staffOnly },
    async (request, reply) => {
      requireClinicRole(staffOf(request), request.params.clinicId);
      const file = await attachmentFor(ctx, request.params.attachmentId, { clinicId: request.params.clinicId });
      await auditPatientRead(ctx.db, staffActor(request), ctx.clock.now(), {
        action: 'econsultation.attachment_viewed',
        clinicId: request.params.clinicId,
        patientId: file.patient_id,
        details: { attachmentId: request.params.attachmentId },
      });
      return reply
        .type(file.content_type)
        .header('Content-Disposition', `attachment; filename="${encodeURIComponent(nameWithTypeExtension(file.filename, file.content_type))}"`)
        .send(file.data);
    },
  );
};
