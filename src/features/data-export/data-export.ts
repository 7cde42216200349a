import { Readable } from 'node:stream';
import type { AppContext } from '../../context.ts';
import { AppError, errors } from '../../errors.ts';
import { audit, type Actor } from '../audit/audit.ts';
import { enqueueMail } from '../mail/outbox.ts';
import * as jobs from './data-export.repository.ts';
import { attachmentData } from './export-contents.repository.ts';
import { collectPersonData } from './export-data.ts';
import { ExportPartWriter } from './export-parts.ts';
import { writeExportZip } from './export-zip.ts';

export type ExportStatus = 'pending' | 'ready' | 'expired' | 'failed';

const expired = () =>
  new AppError(410, 'export_expired', {
    da: 'Dine data kan ikke længere hentes. Bed om dem igen.',
    en: 'Your data can no longer be downloaded. Ask for it again.',
  });

function present(row: NonNullable<Awaited<ReturnType<typeof jobs.latestExport>>>, now: Date) {
  const status: ExportStatus = row.status === 'ready' && row.expires_at && row.expires_at <= now ? 'expired' : row.status;
  return {
    id: row.id,
    status,
    requestedAt: row.created_at.toISOString(),
    readyAt: row.ready_at?.toISOString() ?? null,
    expiresAt: row.expires_at?.toISOString() ?? null,
    size: row.file_size,
  };
}

/** The patient's newest export and its state, or null when they have not asked (or it was deleted). */
export async function currentExport(ctx: AppContext, accountId: string) {
  const row = await jobs.latestExport(ctx.db, accountId);
  return row ? present(row, ctx.clock.now()) : null;
}

/**
 * "Hent mine data": a pending export for the worker to build. Asking again while one is pending
 * returns that one; nothing is built in the request, so a large history never holds it up.
 */
export async function requestExport(ctx: AppContext, actor: Actor & { id: string }) {
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const { created, row } = await jobs.insertPendingExport(trx, actor.id, now);
    if (created) await audit(trx, actor, now, { action: 'patient.data_export_requested', details: { exportId: row.id } });
    return present(row, now);
  });
}

/**
 * Builds the oldest waiting export in two steps, so that no export can take down the processes:
 * 1. The claim commits on its own (attempts + 1, a short lease). A build that throws lets the next
 *    round try again; one that kills its process leaves the claim counted, and once the lease runs
 *    out another process tries. After MAX_ATTEMPTS the export is failed, not claimed again.
 * 2. The build runs in one transaction that holds the export's row (other workers skip it, however
 *    long it takes): the ZIP is streamed into parts, and the ready state, the audit row and the mail
 *    commit with them, so there is never a "ready" export without its file nor a file without its row.
 * Returns false when none was waiting.
 */
export async function buildNextExport(ctx: AppContext): Promise<boolean> {
  const now = ctx.clock.now();
  await jobs.failExhaustedExports(ctx.db, now);
  await jobs.dropExportsOfDeletedLogins(ctx.db);
  const job = await jobs.claimNextExport(ctx.db, now);
  if (!job) return false;
  try {
    await buildClaimedExport(ctx, job);
  } catch (error) {
    await jobs.releaseClaim(ctx.db, job.id).catch(() => {
      // The database is away: the lease runs out and the next round tries again.
    });
    throw error;
  }
  return true;
}

async function buildClaimedExport(ctx: AppContext, job: { id: string; account_id: string }) {
  await ctx.db.transaction().execute(async (trx) => {
    if (!(await jobs.lockClaimedExport(trx, job.id))) return; // deleted with its login meanwhile
    const now = ctx.clock.now();
    const parts = new ExportPartWriter((seq, bytes) => jobs.insertExportPart(trx, job.id, seq, bytes));
    await writeExportZip(await collectPersonData(trx, job.account_id), (id) => attachmentData(trx, id), parts, now);
    const size = await parts.finish();

    // Deleting the login skips the row this transaction holds instead of waiting for the build.
    const owner = await jobs.liveOwnerOf(trx, job.account_id);
    if (!owner) {
      await jobs.deleteExport(trx, job.id); // and its parts: nothing of a deleted login stays
      return;
    }
    const validHours = ctx.config.retention.exportsHours;
    await jobs.markExportReady(trx, job.id, size, now, new Date(now.getTime() + validHours * 3_600_000));
    await jobs.replaceOlderExports(trx, job.account_id, job.id, now);
    await audit(trx, { type: 'system', id: null, ip: null }, now, {
      action: 'data_export.ready',
      details: { exportId: job.id, accountId: job.account_id, bytes: size },
    });
    if (owner.email) {
      await enqueueMail(
        trx,
        { to: owner.email, template: 'patientDataExportReady', params: { link: `${ctx.config.publicUrl}/portal/profile`, validHours } },
        now,
      );
    }
  });
}

/** Builds the waiting exports, up to `limit` in one round; returns how many were built. */
export async function buildPendingExports(ctx: AppContext, limit = 10): Promise<number> {
  let built = 0;
  while (built < limit && (await buildNextExport(ctx))) built++;
  return built;
}

/**
 * The ZIP, for its owner only (another login's export answers 404 as one that does not exist),
 * while it is within its download period. The download is written to the patient's Min log, then
 * the parts are streamed one by one, so a large export never sits whole in memory. The parts are
 * read after that transaction (a snapshot held for a slow client's whole download would pin a
 * connection for minutes); a newer export replacing this one only marks it replaced, and its parts
 * stay an hour (REPLACED_KEPT_MS), so a download already running is not cut short.
 */
export async function downloadExport(ctx: AppContext, actor: Actor & { id: string }, exportId: string): Promise<{ size: number; stream: Readable }> {
  const now = ctx.clock.now();
  const found = await ctx.db.transaction().execute(async (trx) => {
    const row = await jobs.readyExportOf(trx, actor.id, exportId);
    if (!row) throw errors.notFound();
    if (row.expires_at && row.expires_at <= now) throw expired();
    await audit(trx, actor, now, { action: 'patient.data_exported', details: { exportId } });
    return row;
  });
  const size = found.file_size ?? 0;
  async function* parts() {
    let sent = 0;
    for (let seq = 0; sent < size; seq++) {
      const part = await jobs.exportPart(ctx.db, found.id, seq);
      // Deleted mid-download (the login was deleted): break the connection rather than end a
      // response shorter than its Content-Length as if it were whole.
      if (!part) throw new Error('data export: a part went missing during the download');
      sent += part.byteLength;
      yield part;
    }
  }
  return { size, stream: Readable.from(parts()) };
}
