import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.ts';
import { requireClinicRole, requireStaff, requireSupport, staffActor, staffOf } from '../../http/staff-auth.ts';
import { audit } from '../audit/audit.ts';
import { requeueFailedMail } from './failed-mail-links.ts';
import { listFailedMails } from './mail-failures.repository.ts';

const FailedMail = Type.Object({
  id: Type.Integer(),
  clinicId: Type.Union([Type.String(), Type.Null()]),
  template: Type.String(),
  to: Type.String(),
  attempts: Type.Integer(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  failedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  clinicName: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});

/** "anna.nielsen@example.dk" -> "a***@e***.dk": enough for support to tell mails apart, not to know who. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1) return '***';
  const domain = address.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  const tld = dot > 0 ? domain.slice(dot) : '';
  return `${address[0] ?? ''}***@${domain[0] ?? ''}***${tld}`;
}
const maskEmailsIn = (text: string) => text.replace(/[^\s<>"'(),;:]+@[^\s<>"'(),;:]+/g, maskEmail);
const FailedMails = Type.Object({ mails: Type.Array(FailedMail) });

/**
 * Mails that could not be delivered are never dropped: they show here, for the clinic's admins
 * and for support, and support can put them back in the queue.
 */
export const mailFailuresRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const staffOnly = requireStaff(ctx);

  /** Support sees no patient data: the clinic, template, error and time, with every address masked. */
  const listFailed = (clinicId: string | null, forSupport = false) => {
    return listFailedMails(ctx.db, clinicId).then((rows) => ({
      mails: rows.map((m) => ({
        id: m.id,
        clinicId: m.clinic_id,
        template: m.template,
        clinicName: m.clinic_name,
        to: forSupport ? maskEmail(m.to_address) : m.to_address,
        attempts: m.attempts,
        lastError: forSupport && m.last_error ? maskEmailsIn(m.last_error) : m.last_error,
        createdAt: m.created_at.toISOString(),
        failedAt: m.failed_at?.toISOString() ?? null,
      })),
    }));
  };

  app.get(
    '/api/clinics/:clinicId/failed-mails',
    {
      schema: {
        tags: ['mail'],
        summary: "The clinic's undeliverable mails (clinic admin)",
        params: Type.Object({ clinicId: Type.String({ format: 'uuid' }) }),
        response: { 200: FailedMails },
      },
      onRequest: staffOnly,
    },
    async (request) => {
      requireClinicRole(staffOf(request), request.params.clinicId, 'admin');
      return listFailed(request.params.clinicId);
    },
  );

  app.get(
    '/api/support/failed-mails',
    { schema: { tags: ['support'], summary: 'All undeliverable mails (support)', response: { 200: FailedMails } }, onRequest: staffOnly },
    async (request) => {
      requireSupport(staffOf(request));
      return listFailed(null, true);
    },
  );

  app.post(
    '/api/support/failed-mails/:mailId/retry',
    {
      schema: {
        tags: ['support'],
        summary: 'Put an undeliverable mail back in the queue (support)',
        params: Type.Object({ mailId: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) }),
        response: { 200: Type.Object({ ok: Type.Boolean() }) },
      },
      onRequest: staffOnly,
    },
    async (request) => {
      requireSupport(staffOf(request));
      const now = ctx.clock.now();
      await ctx.db.transaction().execute(async (trx) => {
        const updated = await requeueFailedMail(trx, request.params.mailId, now);
        await audit(trx, staffActor(request), now, {
          action: 'mail.retried',
          clinicId: updated.clinicId,
          details: { mailId: request.params.mailId },
        });
      });
      return { ok: true };
    },
  );
};
