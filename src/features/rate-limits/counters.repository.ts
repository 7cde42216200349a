import { sql } from 'kysely';
import type { Database } from '../../db/database.ts';

/**
 * Counts one hit for `key` in a fixed window and returns the count and when the window ends, in
 * one atomic statement, so concurrent requests on any number of app processes are all counted.
 */
export async function countHit(db: Database, key: string, now: Date, windowMs: number): Promise<{ hits: number; windowEndsAt: Date }> {
  const windowEnds = new Date(now.getTime() + windowMs);
  const row = await db
    .insertInto('rate_limit_counters')
    .values({ key, hits: 1, window_ends_at: windowEnds })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        hits: sql<number>`case when rate_limit_counters.window_ends_at <= ${now} then 1 else rate_limit_counters.hits + 1 end`,
        window_ends_at: sql<Date>`case when rate_limit_counters.window_ends_at <= ${now} then ${windowEnds}::timestamptz else rate_limit_counters.window_ends_at end`,
      }),
    )
    .returning(['hits', 'window_ends_at'])
    .executeTakeFirstOrThrow();
  return { hits: row.hits, windowEndsAt: row.window_ends_at };
}

/** Removes counters whose window has ended (they would restart at 1 anyway). */
export async function deleteEndedWindows(db: Database, now: Date): Promise<number> {
  const result = await db.deleteFrom('rate_limit_counters').where('window_ends_at', '<', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
