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

/** Parts of this size: each write and read is one short statement, far inside the statement timeout. */
export const PART_BYTES = 4 * 1024 * 1024;

export async function markExportReady(trx: Kysely<DB>, id: string, file: Uint8Array, now: Date, expiresAt: Date) {
  for (let seq = 0; seq * PART_BYTES < file.byteLength || seq === 0; seq++) {
    const part = file.subarray(seq * PART_BYTES, (seq + 1) * PART_BYTES);
    await trx
      .insertInto('data_export_parts')
      .values({ export_id: id, seq, bytes: Buffer.from(part.buffer, part.byteOffset, part.byteLength) })
      .execute();
  }
  await trx
    .updateTable('data_exports')
    .set({ status: 'ready', file_size: file.byteLength, ready_at: now, expires_at: expiresAt })
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

/** A ready export of its owner (another login's answers nothing, as one that does not exist). */
export function readyExportOf(db: Kysely<DB>, accountId: string, id: string) {
  return db
    .selectFrom('data_exports')
    .select(['id', 'expires_at', 'file_size'])
    .where('id', '=', id)
    .where('account_id', '=', accountId)
    .where('status', '=', 'ready')
    .executeTakeFirst();
}

/** One part of an export's ZIP, in order from 0; undefined past the last (or once deleted). */
export async function exportPart(db: Kysely<DB>, exportId: string, seq: number): Promise<Buffer | undefined> {
  const row = await db.selectFrom('data_export_parts').select('bytes').where('export_id', '=', exportId).where('seq', '=', seq).executeTakeFirst();
  return row?.bytes;
}
