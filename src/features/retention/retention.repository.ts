import { sql } from 'kysely';
import type { Database } from '../../db/database.ts';

export interface RetentionPeriods {
  /** Used or expired one-time links (patient and staff) and login codes. */
  linksDays: number;
  /** Ended (expired) patient and staff sessions. */
  sessionsDays: number;
  /** Finished or expired MitID flow state, and MitID identities of registrations that never became a login. */
  mitidHours: number;
  /** Rejected login requests (they hold the CPR number and name the patient gave). */
  rejectedRequestsDays: number;
  /** A ready data export ("Hent mine data") can be downloaded this long, then it is deleted. */
  exportsHours: number;
}

const ago = (now: Date, ms: number) => new Date(now.getTime() - ms);
const DAY = 86_400_000;

/** What each kind of row is deleted after; every statement is idempotent, so processes may overlap. */
export async function deleteExpiredRows(db: Database, now: Date, periods: RetentionPeriods): Promise<Record<string, number>> {
  const links = ago(now, periods.linksDays * DAY);
  const sessions = ago(now, periods.sessionsDays * DAY);
  const mitid = ago(now, periods.mitidHours * 3_600_000);
  const rejected = ago(now, periods.rejectedRequestsDays * DAY);
  const count = (result: { numDeletedRows: bigint }) => Number(result.numDeletedRows);
  return db.transaction().execute(async (trx) => ({
    patient_tokens: count(
      await trx
        .deleteFrom('patient_tokens')
        .where((eb) => eb.or([eb('used_at', '<', links), eb.and([eb('used_at', 'is', null), eb('expires_at', '<', links)])]))
        .executeTakeFirst(),
    ),
    staff_password_tokens: count(
      await trx
        .deleteFrom('staff_password_tokens')
        .where((eb) => eb.or([eb('used_at', '<', links), eb.and([eb('used_at', 'is', null), eb('expires_at', '<', links)])]))
        .executeTakeFirst(),
    ),
    patient_login_challenges: count(await trx.deleteFrom('patient_login_challenges').where('expires_at', '<', links).executeTakeFirst()),
    patient_sessions: count(await trx.deleteFrom('patient_sessions').where('expires_at', '<', sessions).executeTakeFirst()),
    staff_sessions: count(await trx.deleteFrom('staff_sessions').where('expires_at', '<', sessions).executeTakeFirst()),
    mitid_flows: count(await trx.deleteFrom('mitid_flows').where('expires_at', '<', mitid).executeTakeFirst()),
    mitid_identities: count(await trx.deleteFrom('mitid_identities').where('expires_at', '<', mitid).executeTakeFirst()),
    login_requests: count(await trx.deleteFrom('login_requests').where('status', '=', 'rejected').where('handled_at', '<', rejected).executeTakeFirst()),
    // Ready exports when their download period ends (expires_at), failed ones after the same period.
    data_exports: count(
      await trx
        .deleteFrom('data_exports')
        .where((eb) =>
          eb.or([eb('expires_at', '<=', now), eb.and([eb('status', '=', 'failed'), eb('created_at', '<', ago(now, periods.exportsHours * 3_600_000))])]),
        )
        .executeTakeFirst(),
    ),
    rate_limit_counters: count(await trx.deleteFrom('rate_limit_counters').where('window_ends_at', '<', now).executeTakeFirst()),
    login_throttles: count(await trx.deleteFrom('login_throttles').where('updated_at', '<', ago(now, DAY)).executeTakeFirst()),
  }));
}

/** One process at a time runs the job (a transaction-scoped advisory lock); the others skip the round. */
export async function withRetentionLock<T>(db: Database, fn: () => Promise<T>): Promise<T | undefined> {
  return db.connection().execute(async (conn) => {
    const locked = await sql<{ locked: boolean }>`select pg_try_advisory_lock(hashtext('patientportal:retention')) as locked`.execute(conn);
    if (!locked.rows[0]?.locked) return undefined;
    try {
      return await fn();
    } finally {
      await sql`select pg_advisory_unlock(hashtext('patientportal:retention'))`.execute(conn);
    }
  });
}
