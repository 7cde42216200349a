import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { templates, type TemplateName } from './templates.ts';

export interface OutgoingMail<T extends TemplateName> {
  to: string;
  template: T;
  params: Parameters<(typeof templates)[T]>[0];
  clinicId?: string | null;
}

/**
 * Puts a mail in the outbox. Call it with the transaction of the change that causes the mail:
 * the mail then exists exactly when the change does. The delivery worker sends it later.
 */
/** The address to mail for an account that must have one at this point; a clear error if it has none. */
export function mailAddress(email: string | null | undefined, whose: string): string {
  if (!email) throw new Error(`${whose} has no e-mail address to mail to`);
  return email;
}

export async function enqueueMail<T extends TemplateName>(trx: Kysely<DB>, mail: OutgoingMail<T>, now: Date) {
  const render = templates[mail.template] as (p: typeof mail.params) => { subject: string; text: string };
  const { subject, text } = render(mail.params);
  await trx
    .insertInto('outbox_mails')
    .values({
      created_at: now,
      clinic_id: mail.clinicId ?? null,
      template: mail.template,
      to_address: mail.to,
      subject,
      text_body: text,
      next_attempt_at: now,
      message_id: randomUUID(),
    })
    .execute();
}
