import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';

/** An export's state without its bytes. */
const SUMMARY = ['id', 'status', 'created_at', 'ready_at', 'expires_at', 'file_size'] as const;

/** A build is tried this often; a build that kills its process counts too. */
export const MAX_ATTEMPTS = 3;

/**
 * How long a claim keeps other workers off before the build transaction holds the row lock. After
 * that the lock does it, however long the build takes; a process that dies drops its lock, so its
 * export is claimed again once this has run out.
 */
export const CLAIM_LEASE_MS = 60_000;

/**
 * A replaced export cannot be downloaded any more, but its parts stay this long so that a download
 * that began before the replacement is not cut short (4 GB at 10 Mbit/s takes under an hour).
 */
export const REPLACED_KEPT_MS = 3_600_000;

/** The newest export of the login, if any (without the file). */
export function latestExport(db: Kysely<DB>, accountId: string) {
  return db.selectFrom('data_exports').select(SUMMARY).where('account_id', '=', accountId).orderBy('created_at', 'desc').limit(1).executeTakeFirst();
}

function pendingExportOf(db: Kysely<DB>, accountId: string) {
  return db.selectFrom('data_exports').select(SUMMARY).where('account_id', '=', accountId).where('status', '=', 'pending').executeTakeFirst();
}

/**
 * A new pending export, or the one already waiting: the partial unique index allows one pending
 * export per login, so two requests at once get the same row. The waiting one may turn ready or
 * failed between the conflict and the read; then the insert is tried once more (it asks anew, as a
 * request a moment later would), and should that meet the same race, the newest export answers.
 */
export async function insertPendingExport(db: Kysely<DB>, accountId: string, now: Date) {
  for (let attempt = 0; attempt < 2; attempt++) {
    const inserted = await db
      .insertInto('data_exports')
      .values({ account_id: accountId, created_at: now })
      .onConflict((oc) => oc.column('account_id').where('status', '=', 'pending').doNothing())
      .returning(SUMMARY)
      .executeTakeFirst();
    if (inserted) return { created: true, row: inserted };
    const pending = await pendingExportOf(db, accountId);
    if (pending) return { created: false, row: pending };
  }
  const latest = await latestExport(db, accountId);
  if (!latest) throw new Error('data export: no export of the login after a conflict');
  return { created: false, row: latest };
}

/**
 * Pending exports whose builds used up their attempts (none of them holds the row now) become
 * failed, so no process claims them again.
 */
export async function failExhaustedExports(db: Kysely<DB>, now: Date) {
  const failed = await db
    .updateTable('data_exports')
    .set({ status: 'failed', claimed_until: null })
    .where(
      'id',
      'in',
      db
        .selectFrom('data_exports')
        .select('id')
        .where('status', '=', 'pending')
        .where('attempts', '>=', MAX_ATTEMPTS)
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)]))
        .forUpdate()
        .skipLocked(),
    )
    .returning('id')
    .execute();
  return failed.length;
}

/**
 * Pending exports of logins deleted while a worker held them (the deletion skips a held row, and
 * that worker may have died before it could delete the export itself): nobody will build them.
 */
export async function dropExportsOfDeletedLogins(db: Kysely<DB>) {
  await db
    .deleteFrom('data_exports')
    .where(
      'id',
      'in',
      db
        .selectFrom('data_exports as e')
        .innerJoin('patient_accounts as a', 'a.id', 'e.account_id')
        .select('e.id')
        .where('e.status', '=', 'pending')
        .where('a.deleted_at', 'is not', null)
        .forUpdate('e')
        .skipLocked(),
    )
    .execute();
}

/**
 * Claims the oldest pending export no other worker has claimed or holds, and counts the attempt.
 * One statement that commits on its own, before any building: a build that dies still counted.
 * A login deleted since is skipped (its exports are deleted with it).
 */
export function claimNextExport(db: Kysely<DB>, now: Date) {
  return db
    .updateTable('data_exports')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), claimed_until: new Date(now.getTime() + CLAIM_LEASE_MS) }))
    .where(
      'id',
      '=',
      db
        .selectFrom('data_exports as e')
        .innerJoin('patient_accounts as a', 'a.id', 'e.account_id')
        .select('e.id')
        .where('e.status', '=', 'pending')
        .where('e.attempts', '<', MAX_ATTEMPTS)
        .where('a.deleted_at', 'is', null)
        .where((eb) => eb.or([eb('e.claimed_until', 'is', null), eb('e.claimed_until', '<=', now)]))
        .orderBy('e.created_at')
        .limit(1)
        .forUpdate('e')
        .skipLocked(),
    )
    .returning(['id', 'account_id', 'attempts'])
    .executeTakeFirst();
}

/**
 * The claimed export's row, locked for the build transaction: while it is held, claims and the
 * login's deletion skip it. Undefined when it is no longer pending (deleted with its login).
 */
export function lockClaimedExport(trx: Kysely<DB>, id: string) {
  return trx.selectFrom('data_exports').select('id').where('id', '=', id).where('status', '=', 'pending').forUpdate().executeTakeFirst();
}

/**
 * After a build that threw: the next round may try again at once, unless the attempts are used up.
 * Not for a build that dies: that one's lease runs out instead.
 */
export async function releaseClaim(db: Kysely<DB>, id: string) {
  await sql`
    update data_exports
    set claimed_until = null, status = case when attempts >= ${MAX_ATTEMPTS} then 'failed' else status end
    where id = ${id} and status = 'pending'`.execute(db);
}

/**
 * The login the export is for, if it still exists, with its e-mail. Locked (FOR SHARE) until the
 * build commits, so a deletion of the login either waits for that commit and then deletes the
 * ready export, or commits first and this answers undefined.
 */
export function liveOwnerOf(trx: Kysely<DB>, accountId: string) {
  return trx.selectFrom('patient_accounts').select('email').where('id', '=', accountId).where('deleted_at', 'is', null).forShare().executeTakeFirst();
}

/** Parts of this size: each write and read is one short statement, far inside the statement timeout. */
export const PART_BYTES = 4 * 1024 * 1024;

export async function insertExportPart(trx: Kysely<DB>, exportId: string, seq: number, bytes: Buffer) {
  await trx.insertInto('data_export_parts').values({ export_id: exportId, seq, bytes }).execute();
}

export async function markExportReady(trx: Kysely<DB>, id: string, size: number, now: Date, expiresAt: Date) {
  await trx
    .updateTable('data_exports')
    .set({ status: 'ready', file_size: size, ready_at: now, expires_at: expiresAt, claimed_until: null })
    .where('id', '=', id)
    .execute();
}

/** An export (and with it its parts) whose login was deleted while it was built. */
export async function deleteExport(trx: Kysely<DB>, id: string) {
  await trx.deleteFrom('data_exports').where('id', '=', id).execute();
}

/**
 * Once a newer export is ready, the older ready ones are marked replaced (no new downloads; the
 * retention job deletes them after REPLACED_KEPT_MS, so a download streaming one now ends whole)
 * and failed ones are deleted: one export to download at a time.
 */
export async function replaceOlderExports(trx: Kysely<DB>, accountId: string, keepId: string, now: Date) {
  await trx
    .updateTable('data_exports')
    .set({ replaced_at: now })
    .where('account_id', '=', accountId)
    .where('id', '!=', keepId)
    .where('status', '=', 'ready')
    .where('replaced_at', 'is', null)
    .execute();
  await trx.deleteFrom('data_exports').where('account_id', '=', accountId).where('id', '!=', keepId).where('status', '=', 'failed').execute();
}

/**
 * All exports of a login, when the login is deleted: they hold its contact data. An export a
 * worker is building right now is skipped rather than waited for (its build may take minutes):
 * the worker sees the login gone before it marks the export ready, and deletes it then.
 */
export async function deleteExportsOf(trx: Kysely<DB>, accountId: string) {
  await trx
    .deleteFrom('data_exports')
    .where('id', 'in', trx.selectFrom('data_exports').select('id').where('account_id', '=', accountId).forUpdate().skipLocked())
    .execute();
}

/** A ready, not replaced export of its owner (another login's answers nothing, as one that does not exist). */
export function readyExportOf(db: Kysely<DB>, accountId: string, id: string) {
  return db
    .selectFrom('data_exports')
    .select(['id', 'expires_at', 'file_size'])
    .where('id', '=', id)
    .where('account_id', '=', accountId)
    .where('status', '=', 'ready')
    .where('replaced_at', 'is', null)
    .executeTakeFirst();
}

/** One part of an export's ZIP, in order from 0; undefined past the last (or once deleted). */
export async function exportPart(db: Kysely<DB>, exportId: string, seq: number): Promise<Buffer | undefined> {
  const row = await db.selectFrom('data_export_parts').select('bytes').where('export_id', '=', exportId).where('seq', '=', seq).executeTakeFirst();
  return row?.bytes;
}
