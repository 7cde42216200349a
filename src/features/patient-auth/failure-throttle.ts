import { sql } from 'kysely';
import { prepared, type Database } from '../../db/database.ts';
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
 * claim() decides and counts in one statement, before the password is checked: every try is
 * counted as a failure up front and succeed() clears the count. So tries sent in parallel each
 * see the ones before them, and a burst gets no more past the check than tries one by one would.
 */
export class FailureThrottle {
  constructor(private readonly db: Database) {}

  /** Counts this try; returns the tries counted so far including it, or throws 429 while the key must wait. */
  async claim(key: string, now: Date): Promise<number> {
    // SQL rather than the query builder, and prepared: every login runs it (docs/ARCHITECTURE.md, "Hot statements").
    const { rows } = await prepared(this.claimWrite(key, now)).execute(this.db);
    return FailureThrottle.claimed(rows[0]?.failures);
  }

  /**
   * claim()'s upsert, not yet run, for a statement that does more in the same round trip; it returns
   * `failures`, or no row while the key must wait. Give what it returned to claimed().
   */
  claimWrite(key: string, now: Date) {
    return sql<{ failures: number }>`
      insert into login_throttles (key, failures, next_try_at, updated_at) values (${key}, 1, ${now}, ${now})
      on conflict (key) do update set
        failures = login_throttles.failures + 1,
        next_try_at = ${now}::timestamptz + ${delaySql(sql`login_throttles.failures + 1`)},
        updated_at = ${now}
      where login_throttles.next_try_at <= ${now}
      returning failures`;
  }

  /** The tries counted so far, as claimWrite returned them; throws 429 when it returned none. */
  static claimed(failures: number | null | undefined): number {
    if (failures === null || failures === undefined) throw errors.tooManyRequests();
    return failures;
  }

  /** A right password: the key starts afresh. */
  async succeed(key: string): Promise<void> {
    await this.succeedWrite(key).execute(this.db);
  }

  /** succeed()'s delete, not yet run, for a statement that does more in the same round trip. */
  succeedWrite(key: string) {
    return sql`delete from login_throttles where key = ${key}`;
  }
}
