import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';

/** An export's state without its bytes. */
const SUMMARY = ['id', 'status', 'created_at', 'ready_at', 'expires_at', 'file_size'] as const;

/** The newest export of the login, if any (without the file). */
export function latestExport(db: Kysely<DB>, accountId: string) {
  return db.selectFrom('data_exports').select(SUMMARY).where('account_id', '=', accountId).orderBy('created_at', 'desc').limit(1).executeTakeFirst();
}

/**
 * A new pending export, or the one already waiting: the partial unique index allows one pending
 * export per login, so two requests at once get the same row.
 */
export async function insertPendingExport(db: Kysely<DB>, accountId: string, now: Date) {
  const inserted = await db
    .insertInto('data_exports')
    .values({ account_id: accountId, created_at: now })
    .onConflict((oc) => oc.column('account_id').where('status', '=', 'pending').doNothing())
    .returning(SUMMARY)
    .executeTakeFirst();
  if (inserted) return { created: true, row: inserted };
  const pending = await db
    .selectFrom('data_exports')
    .select(SUMMARY)
    .where('account_id', '=', accountId)
    .where('status', '=', 'pending')
    .executeTakeFirstOrThrow();
  return { created: false, row: pending };
}

/**
 * The oldest pending export no other worker holds, locked for the caller's transaction (SKIP
 * LOCKED): with several processes each export is built by one of them. A login deleted since is
 * skipped (its exports are deleted with it).
 */
export function claimPendingExport(trx: Kysely<DB>) {
  return trx
    .selectFrom('data_exports as e')
    .innerJoin('patient_accounts as a', 'a.id', 'e.account_id')
    .select(['e.id', 'e.account_id', 'a.email'])
    .where('e.status', '=', 'pending')
    .where('a.deleted_at', 'is', null)
    .orderBy('e.created_at')
    .limit(1)
    .forUpdate('e')
    .skipLocked()
    .executeTakeFirst();
}

export async function markExportReady(trx: Kysely<DB>, id: string, file: Uint8Array, now: Date, expiresAt: Date) {
  await trx
    .updateTable('data_exports')
    .set({
      status: 'ready',
      file: Buffer.from(file.buffer, file.byteOffset, file.byteLength),
      file_size: file.byteLength,
      ready_at: now,
      expires_at: expiresAt,
    })
    .where('id', '=', id)
    .execute();
}

export async function markExportFailed(db: Kysely<DB>, id: string) {
  await db.updateTable('data_exports').set({ status: 'failed' }).where('id', '=', id).where('status', '=', 'pending').execute();
}

/** Older exports of the login are dropped once a newer one is ready: one download at a time. */
export async function deleteOlderExports(trx: Kysely<DB>, accountId: string, keepId: string) {
  await trx.deleteFrom('data_exports').where('account_id', '=', accountId).where('id', '!=', keepId).where('status', '!=', 'pending').execute();
}

/** All exports of a login, when the login is deleted: they hold its contact data. */
export async function deleteExportsOf(trx: Kysely<DB>, accountId: string) {
  await trx.deleteFrom('data_exports').where('account_id', '=', accountId).execute();
}

/** The ZIP of a ready export, only for its owner. */
export function readyExportFile(db: Kysely<DB>, accountId: string, id: string) {
  return db
    .selectFrom('data_exports')
    .select(['file', 'expires_at', 'created_at'])
    .where('id', '=', id)
    .where('account_id', '=', accountId)
    .where('status', '=', 'ready')
    .executeTakeFirst();
}
