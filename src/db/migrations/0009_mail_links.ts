import { sql, type Kysely } from 'kysely';

// A mail that carries a one-time link remembers the link's token hash and its template's
// parameters (without the link), so a mail that fails for good can void its link, and "queue
// again" can send a fresh link instead of the dead one.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table outbox_mails add column template_params jsonb`.execute(db);
  await sql`alter table outbox_mails add column link_token_hash text`.execute(db);
  await sql`alter table outbox_mails add column link_kind text check (link_kind in ('patient', 'staff'))`.execute(db);
}
