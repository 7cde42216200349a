import { sql, type Kysely } from 'kysely';

// Every outbox mail gets one Message-ID when it is queued, used on every attempt, so a receiving
// server or mail client can drop the copy a crashed worker may send again. `locked_by` names the
// worker holding the lease, so only it renews the lease while it is sending.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table outbox_mails add column message_id text`.execute(db);
  await sql`update outbox_mails set message_id = gen_random_uuid()::text where message_id is null`.execute(db);
  await sql`alter table outbox_mails alter column message_id set not null`.execute(db);
  await sql`create unique index outbox_mails_message_id_idx on outbox_mails (message_id)`.execute(db);
  await sql`alter table outbox_mails add column locked_by text`.execute(db);
}
