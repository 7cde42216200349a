import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { errors } from '../../errors.ts';
import { hashToken, newToken } from '../auth/tokens.ts';
import { issuePatientToken } from '../patient-auth/patient-tokens.ts';
import { renderMail } from './outbox.ts';
import type { TemplateName } from './templates.ts';

const STAFF_LINK_VALID_MS = 7 * 86_400_000;

/**
 * A mail that failed for good: its one-time link, if it carried one, is voided in the same
 * transaction and its body (which holds the link) erased, so the failed-mail list and a copy of
 * the database hold no working link. "Queue again" sends a fresh one (requeueFailedMail).
 */
export async function markFailedForGood(db: Kysely<DB>, mailId: number, reason: string, now: Date): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const mail = await trx
      .updateTable('outbox_mails')
      .set({ status: 'failed', failed_at: now, locked_until: null, last_error: reason })
      .where('id', '=', mailId)
      .returning(['link_token_hash', 'link_kind'])
      .executeTakeFirstOrThrow();
    if (!mail.link_token_hash) return;
    await trx.updateTable('outbox_mails').set({ text_body: null }).where('id', '=', mailId).execute();
    if (mail.link_kind === 'staff') {
      await trx
        .updateTable('staff_password_tokens')
        .set({ used_at: now })
        .where('token_hash', '=', mail.link_token_hash)
        .where('used_at', 'is', null)
        .execute();
    } else {
      await trx.updateTable('patient_tokens').set({ used_at: now }).where('token_hash', '=', mail.link_token_hash).where('used_at', 'is', null).execute();
    }
  });
}

/** A fresh token for the same login and purpose as the dead one; undefined when that login is gone. */
async function freshToken(trx: Kysely<DB>, kind: 'patient' | 'staff', deadHash: string, now: Date): Promise<string | undefined> {
  if (kind === 'staff') {
    const dead = await trx.selectFrom('staff_password_tokens').select('user_id').where('token_hash', '=', deadHash).executeTakeFirst();
    if (!dead) return undefined;
    await trx.updateTable('staff_password_tokens').set({ used_at: now }).where('user_id', '=', dead.user_id).where('used_at', 'is', null).execute();
    const token = newToken();
    await trx
      .insertInto('staff_password_tokens')
      .values({ token_hash: hashToken(token), user_id: dead.user_id, created_at: now, expires_at: new Date(now.getTime() + STAFF_LINK_VALID_MS) })
      .execute();
    return token;
  }
  const dead = await trx
    .selectFrom('patient_tokens')
    .select(['account_id', 'purpose', 'clinic_id', 'new_email'])
    .where('token_hash', '=', deadHash)
    .executeTakeFirst();
  if (!dead) return undefined;
  return issuePatientToken(trx, { accountId: dead.account_id, purpose: dead.purpose, clinicId: dead.clinic_id, newEmail: dead.new_email }, now);
}

/**
 * Puts a failed mail back in the queue. A mail with a one-time link gets a fresh link (the old
 * one was voided when the mail failed) and is rendered anew; other mails go as they were.
 * Returns the mail's clinic for the audit row.
 */
export async function requeueFailedMail(trx: Kysely<DB>, mailId: number, now: Date): Promise<{ clinicId: string | null }> {
  const mail = await trx
    .selectFrom('outbox_mails')
    .select(['clinic_id', 'template', 'template_params', 'link_token_hash', 'link_kind'])
    .where('id', '=', mailId)
    .where('status', '=', 'failed')
    .forUpdate()
    .executeTakeFirst();
  if (!mail) throw errors.notFound();
  let rendered: { subject: string; text_body: string; link_token_hash: string } | undefined;
  if (mail.link_token_hash && mail.link_kind && mail.template_params) {
    const token = await freshToken(trx, mail.link_kind, mail.link_token_hash, now);
    if (!token) throw errors.conflict('link_owner_gone', { da: 'Login til linket findes ikke længere.', en: 'The login the link was for no longer exists.' });
    const params = { ...mail.template_params, link: `${String(mail.template_params.link)}${token}` };
    const { subject, text } = renderMail(mail.template as TemplateName, params);
    rendered = { subject, text_body: text, link_token_hash: hashToken(token) };
  }
  await trx
    .updateTable('outbox_mails')
    .set({ status: 'pending', attempts: 0, next_attempt_at: now, failed_at: null, ...rendered })
    .where('id', '=', mailId)
    .execute();
  return { clinicId: mail.clinic_id };
}
