import { sql } from 'kysely';
import type { Database } from '../../db/database.ts';

/** What the operator watches in the database, read on each scrape in one round trip. */
export async function readOperationalGauges(db: Database, now: Date) {
  const row = await sql<{ pending: number; oldest_pending_at: Date | null; failed: number; open_requests: number }>`
    select
      (select count(*) from outbox_mails where status = 'pending')::int as pending,
      (select min(created_at) from outbox_mails where status = 'pending') as oldest_pending_at,
      (select count(*) from outbox_mails where status = 'failed')::int as failed,
      (select count(*) from login_requests where status = 'open')::int as open_requests
  `.execute(db);
  const gauges = row.rows[0];
  if (!gauges) throw new Error('the gauge query returned no row');
  return {
    outboxPending: gauges.pending,
    outboxOldestPendingSeconds: gauges.oldest_pending_at ? Math.max(0, (now.getTime() - gauges.oldest_pending_at.getTime()) / 1000) : 0,
    outboxFailed: gauges.failed,
    openLoginRequests: gauges.open_requests,
  };
}
