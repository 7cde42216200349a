import { sql, type Kysely } from 'kysely';

// "Glemt adgangskode" only records what was typed and answers; a worker looks the login up later,
// so the answer's timing cannot tell whether the login exists. The row is deleted in the
// transaction that handles it (and mails the link), so it is handled exactly once.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table password_reset_requests (
      id uuid primary key,
      identifier text not null,
      ip text,
      created_at timestamptz not null
    )`.execute(db);
  await sql`create index password_reset_requests_created_idx on password_reset_requests (created_at)`.execute(db);
}
