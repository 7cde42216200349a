import { sql, type Kysely } from 'kysely';

// Rate limits and the login slow-down live in the database, so they hold across app processes
// and restarts (several processes behind a load balancer would otherwise each allow the limit).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table rate_limit_counters (
      key text primary key,
      hits integer not null,
      window_ends_at timestamptz not null
    )`.execute(db);
  await sql`create index rate_limit_counters_window_idx on rate_limit_counters (window_ends_at)`.execute(db);
  await sql`
    create table login_throttles (
      key text primary key,
      failures integer not null,
      next_try_at timestamptz not null,
      updated_at timestamptz not null
    )`.execute(db);
  await sql`create index login_throttles_updated_idx on login_throttles (updated_at)`.execute(db);
}
