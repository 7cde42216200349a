import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { hashToken } from '../auth/tokens.ts';
import { templates, type TemplateName } from './templates.ts';

export interface OutgoingMail<T extends TemplateName> {
  to: string;
  template: T;
  params: Parameters<(typeof templates)[T]>[0];
  clinicId?: string | null;
}

/** The one-time links our mails carry end in `#token=<token>` (pages read it from the fragment). */
const LINK_TOKEN = /#token=([A-Za-z0-9_-]+)$/;

/** Renders a template by name with its parameters. */
export function renderMail(template: TemplateName, params: Record<string, unknown>) {
  const render = templates[template] as (p: Record<string, unknown>) => { subject: string; text: string };
  return render(params);
}

/** The one-time link in a mail's parameters: its token's hash and the link without the token. */
export function oneTimeLinkOf(template: TemplateName, params: Record<string, unknown>) {
  const link = typeof params.link === 'string' ? params.link : undefined;
  const token = link ? LINK_TOKEN.exec(link)?.[1] : undefined;
  if (!link || !token) return undefined;
  return {
    tokenHash: hashToken(token),
    kind: template === 'staffSetPassword' ? ('staff' as const) : ('patient' as const),
    linkBase: link.slice(0, link.length - token.length),
  };
}

/** The address to mail for an account that must have one at this point; a clear error if it has none. */
export function mailAddress(email: string | null | undefined, whose: string): string {
  if (!email) throw new Error(`${whose} has no e-mail address to mail to`);
  return email;
}

/**
 * Puts a mail in the outbox. Call it with the transaction of the change that causes the mail:
 * the mail then exists exactly when the change does. The delivery worker sends it later.
 */
export async function enqueueMail<T extends TemplateName>(trx: Kysely<DB>, mail: OutgoingMail<T>, now: Date) {
  await mailInsert(mail, now).execute(trx);
}

/** enqueueMail()'s insert, not yet run: for a statement that writes the change and its mail together (CTEs). */
export function mailInsert<T extends TemplateName>(mail: OutgoingMail<T>, now: Date) {
  // SQL rather than the query builder: every login writes its code mail (docs/ARCHITECTURE.md, "Hot statements").
  return sql`insert into ${OUTBOX_COLUMNS} values (${mailValues(mail, now, mail.to, mail.clinicId ?? null)})`;
}

/**
 * The same insert for a statement whose earlier step gives the mail's address and clinic: `from`
 * names that step (a CTE), with a condition if need be, and must give at most one row; none
 * queues no mail. (One row, as a mail's Message-ID and link are its own.) For a change decided
 * inside the statement itself (see approveNewLoginAtOnce).
 */
export function mailInsertFrom<T extends TemplateName>(
  from: RawBuilder<unknown>,
  mail: Omit<OutgoingMail<T>, 'to' | 'clinicId'> & { to: RawBuilder<string>; clinicId: RawBuilder<string> },
  now: Date,
) {
  return sql`insert into ${OUTBOX_COLUMNS} select ${mailValues(mail, now, mail.to, mail.clinicId)} from ${from}`;
}

const OUTBOX_COLUMNS = sql`outbox_mails (created_at, clinic_id, template, to_address, subject, text_body, next_attempt_at, message_id, template_params, link_token_hash, link_kind)`;

function mailValues<T extends TemplateName>(
  mail: Pick<OutgoingMail<T>, 'template' | 'params'>,
  now: Date,
  to: string | RawBuilder<string>,
  clinicId: string | null | RawBuilder<string>,
) {
  const params = mail.params as Record<string, unknown>;
  const { subject, text } = renderMail(mail.template, params);
  const link = oneTimeLinkOf(mail.template, params);
  // Kept so "queue again" can render the mail with a fresh link; never the token itself.
  const templateParams = JSON.stringify(link ? { ...params, link: link.linkBase } : params);
  return sql.join([
    now,
    clinicId,
    mail.template,
    to,
    subject,
    text,
    now,
    randomUUID(),
    sql`${templateParams}::jsonb`,
    link?.tokenHash ?? null,
    link?.kind ?? null,
  ]);
}
