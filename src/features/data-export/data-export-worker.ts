import type { FastifyBaseLogger } from 'fastify';
import type { AppContext } from '../../context.ts';
import { safeError } from '../../http/safe-error.ts';
import { buildPendingExports } from './data-export.ts';

/**
 * Builds waiting data exports every `everyMs` in the app's worker loop, next to the mail and
 * reset-request workers. Safe with several processes: each export is claimed with SKIP LOCKED.
 * Only counts are logged, never contents.
 */
export function startDataExportWorker(ctx: AppContext, log: Pick<FastifyBaseLogger, 'info' | 'error'>, everyMs = 2000): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running
      .then(async () => {
        const built = await buildPendingExports(ctx);
        if (built > 0) log.info({ built }, 'data exports built');
      })
      .catch((error: unknown) => {
        log.error({ err: safeError(error) }, 'data export failed');
      });
  }, everyMs);
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
