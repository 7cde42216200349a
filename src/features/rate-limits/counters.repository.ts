import { sql } from 'kysely';
import { prepared, type Database } from '../../db/database.ts';

/**
 * Counts one hit for `key` in a fixed window and returns the count and when the window ends, in
 * one atomic statement, so concurrent requests on any number of app processes are all counted.
 */
export async function countHit(db: Database, key: string, now: Date, windowMs: number): Promise<{ hits: number; windowEndsAt: Date }> {
  const windowEnds = new Date(now.getTime() + windowMs);
  // SQL rather than the query builder, and prepared: it runs before every login, code and link
  // request and every clinic-system API call (docs/ARCHITECTURE.md, "Hot statements").
  const { rows } = await prepared(sql<{ hits: number; window_ends_at: Date }>`
    insert into rate_limit_counters (key, hits, window_ends_at) values (${key}, 1, ${windowEnds})
    on conflict (key) do update set
      hits = case when rate_limit_counters.window_ends_at <= ${now} then 1 else rate_limit_counters.hits + 1 end,
      window_ends_at = case when rate_limit_counters.window_ends_at <= ${now} then ${windowEnds}::timestamptz else rate_limit_counters.window_ends_at end
    returning hits, window_ends_at`).execute(db);
  const [row] = rows;
  if (!row) throw new Error('the rate limit upsert returned no row');
  return { hits: row.hits, windowEndsAt: row.window_ends_at };
}

/** Removes counters whose window has ended (they would restart at 1 anyway). */
export async function deleteEndedWindows(db: Database, now: Date): Promise<number> {
  const result = await db.deleteFrom('rate_limit_counters').where('window_ends_at', '<', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
