import { sql, type Kysely } from 'kysely';

// "Hent mine data": the patient asks, a worker builds the ZIP in the background, and the patient
// downloads it with their session for 24 hours (RETENTION_EXPORTS_HOURS); the retention job then
// deletes the row.
//
// The ZIP is kept in the row (bytea), not as a file under DATA_DIR: every app process on the shared
// PostgreSQL can serve a download the worker of another process built (a local file would need a
// shared disk), the bytes go in one transaction with the status change and the mail (never a
// "ready" row without its file, nor a file without its row), and backups and the retention job
// see one place. The price is a few MB of TOAST per export for a day.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table data_exports (
      id uuid primary key default gen_random_uuid(),
      account_id uuid not null references patient_accounts(id) on delete cascade,
      status text not null default 'pending' check (status in ('pending', 'ready', 'failed')),
      created_at timestamptz not null,
      ready_at timestamptz,
      expires_at timestamptz,
      file bytea,
      file_size integer,
      check ((status = 'ready') = (file is not null and ready_at is not null and expires_at is not null))
    )`.execute(db);
  // At most one export waiting per patient: asking again while one waits returns that one.
  await sql`create unique index data_exports_one_pending on data_exports (account_id) where status = 'pending'`.execute(db);
  await sql`create index data_exports_account_idx on data_exports (account_id, created_at)`.execute(db);
  await sql`create index data_exports_pending_idx on data_exports (created_at) where status = 'pending'`.execute(db);
}
