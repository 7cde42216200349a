import { sql, type Kysely } from 'kysely';

// "Hent mine data": the patient asks, a worker builds the ZIP in the background, and the patient
// downloads it with their session for 24 hours (RETENTION_EXPORTS_HOURS); the retention job then
// deletes the row.
//
// The ZIP is kept in PostgreSQL (bytea), not as a file under DATA_DIR: every app process on the
// shared PostgreSQL can serve a download another process's worker built (a local file would need a
// shared disk), the bytes commit in one transaction with the state change and the mail (never a
// "ready" export without its file, nor a file without its row), and backups and the retention job
// see one place. It is stored in parts of a few MB (data_export_parts), so that writing and
// reading a large history stay single statements well within the request pool's statement
// timeout, and a download streams part by part instead of holding the whole ZIP in memory.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table data_exports (
      id uuid primary key default gen_random_uuid(),
      account_id uuid not null references patient_accounts(id) on delete cascade,
      status text not null default 'pending' check (status in ('pending', 'ready', 'failed')),
      created_at timestamptz not null,
      ready_at timestamptz,
      expires_at timestamptz,
      file_size bigint,
      check ((status = 'ready') = (file_size is not null and ready_at is not null and expires_at is not null))
    )`.execute(db);
  await sql`
    create table data_export_parts (
      export_id uuid not null references data_exports(id) on delete cascade,
      seq integer not null,
      bytes bytea not null,
      primary key (export_id, seq)
    )`.execute(db);
  // At most one export waiting per patient: asking again while one waits returns that one.
  await sql`create unique index data_exports_one_pending on data_exports (account_id) where status = 'pending'`.execute(db);
  await sql`create index data_exports_account_idx on data_exports (account_id, created_at)`.execute(db);
  await sql`create index data_exports_pending_idx on data_exports (created_at) where status = 'pending'`.execute(db);
}
