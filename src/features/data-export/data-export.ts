import { Readable } from 'node:stream';
import type { AppContext } from '../../context.ts';
import { AppError, errors } from '../../errors.ts';
import { audit, type Actor } from '../audit/audit.ts';
import { enqueueMail } from '../mail/outbox.ts';
import * as jobs from './data-export.repository.ts';
import { collectPersonData } from './export-data.ts';
import { buildExportZip } from './export-zip.ts';

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
 * Builds the oldest waiting export, in one transaction that holds its row (FOR UPDATE SKIP
 * LOCKED): the data is read, the ZIP stored, the export marked ready and the mail queued
 * together. Another process skips the row while this one builds it; a crash rolls everything back
 * and the export waits for the next round. Returns false when none was waiting.
 */
export async function buildNextExport(ctx: AppContext): Promise<boolean> {
  let claimedId: string | undefined;
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      const job = await jobs.claimPendingExport(trx);
      if (!job) return false;
      claimedId = job.id;
      const now = ctx.clock.now();
      const zip = buildExportZip(await collectPersonData(trx, job.account_id), now);
      const validHours = ctx.config.retention.exportsHours;
      await jobs.markExportReady(trx, job.id, zip, now, new Date(now.getTime() + validHours * 3_600_000));
      await jobs.deleteOlderExports(trx, job.account_id, job.id);
      await audit(trx, { type: 'system', id: null, ip: null }, now, {
        action: 'data_export.ready',
        details: { exportId: job.id, accountId: job.account_id, bytes: zip.byteLength },
      });
      if (job.email) {
        await enqueueMail(
          trx,
          { to: job.email, template: 'patientDataExportReady', params: { link: `${ctx.config.publicUrl}/portal/profile`, validHours } },
          now,
        );
      }
      return true;
    });
  } catch (error) {
    // A build that fails is not retried forever: the patient sees "failed" and may ask again.
    if (claimedId) {
      await jobs.markExportFailed(ctx.db, claimedId).catch(() => {
        // The database is away: the export stays pending and the next round tries again.
      });
    }
    throw error;
  }
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
 * the parts are streamed one by one, so a large export never sits whole in memory.
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
  async function* parts() {
    for (let seq = 0; ; seq++) {
      const part = await jobs.exportPart(ctx.db, found.id, seq);
      if (!part) return;
      yield part;
    }
  }
  return { size: found.file_size ?? 0, stream: Readable.from(parts()) };
}
