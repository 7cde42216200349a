import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { errors } from '../../errors.ts';

const FREE_FAILURES = 5;
const MAX_DELAY_MS = 60_000;

/** How long after the latest failure the next try must wait: 0 for the first 5, then 1 s doubling to 60 s. */
export function delayAfter(failures: number): number {
  return failures < FREE_FAILURES ? 0 : Math.min(1000 * 2 ** (failures - FREE_FAILURES), MAX_DELAY_MS);
}

const delaySql = (failures: ReturnType<typeof sql>) =>
  sql`case when ${failures} < ${FREE_FAILURES} then interval '0' else least(interval '1 second' * power(2, least(${failures} - ${FREE_FAILURES}, 16)), interval '${sql.raw(String(MAX_DELAY_MS / 1000))} seconds') end`;

/**
 * Slows guessing per account identifier without locking anyone out. It keys on what was typed,
 * whether or not such an account exists, so being slowed down reveals nothing. Kept in
 * PostgreSQL so every app process sees the same count.
 *
 * claim() decides and reserves in one statement: once the free failures are used, a try takes
 * the slot until the delay has passed, so parallel requests cannot all get past the slow-down.
 */
export class FailureThrottle {
  constructor(private readonly db: Database) {}

  /** Returns the failures counted so far on this key. */
  async claim(key: string, now: Date): Promise<number> {
    const claimed = await this.db
      .insertInto('login_throttles')
      .values({ key, failures: 0, next_try_at: now, updated_at: now })
      .onConflict((oc) =>
        oc
          .column('key')
          .doUpdateSet({ next_try_at: sql<Date>`${now}::timestamptz + ${delaySql(sql.ref('login_throttles.failures'))}`, updated_at: now })
          .where('login_throttles.next_try_at', '<=', now),
      )
      .returning('failures')
      .executeTakeFirst();
    if (!claimed) throw errors.tooManyRequests();
    return claimed.failures;
  }

  /** Counts a failure atomically; the next try waits the delay from now. */
  async fail(key: string, now: Date, db: Kysely<DB> = this.db): Promise<number> {
    const row = await db
      .insertInto('login_throttles')
      .values({ key, failures: 1, next_try_at: now, updated_at: now })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          failures: sql<number>`login_throttles.failures + 1`,
          next_try_at: sql<Date>`${now}::timestamptz + ${delaySql(sql`login_throttles.failures + 1`)}`,
          updated_at: now,
        }),
      )
      .returning('failures')
      .executeTakeFirstOrThrow();
    return row.failures;
  }

  async succeed(key: string): Promise<void> {
    await this.db.deleteFrom('login_throttles').where('key', '=', key).execute();
  }
}
