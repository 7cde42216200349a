import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../../clock.ts';
import type { Database } from '../../db/database.ts';
import { safeError } from '../../http/safe-error.ts';
import { deleteExpiredRows, withRetentionLock, type RetentionPeriods } from './retention.repository.ts';

/**
 * Deletes what has no reason to stay (see RetentionPeriods and the README's retention table),
 * hourly, in the app's own process: with several processes one runs it (an advisory lock) and
 * the others skip that round. Clinical content is not touched: it stays with the clinic's record.
 */
export class RetentionWorker {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;

  constructor(
    private readonly options: {
      db: Database;
      clock: Clock;
      periods: RetentionPeriods;
      log: Pick<FastifyBaseLogger, 'info' | 'error'>;
      intervalMs?: number;
    },
  ) {}

  async runOnce(): Promise<Record<string, number> | undefined> {
    const { db, clock, periods } = this.options;
    return withRetentionLock(db, () => deleteExpiredRows(db, clock.now(), periods));
  }

  start(): void {
    const tick = () => {
      this.#running = this.runOnce()
        .then((deleted) => {
          if (deleted && Object.values(deleted).some((n) => n > 0)) this.options.log.info({ deleted }, 'retention: deleted expired rows');
        })
        .catch((error: unknown) => this.options.log.error({ err: safeError(error) }, 'retention: round failed'));
      this.#timer = setTimeout(tick, this.options.intervalMs ?? 3_600_000);
    };
    this.#timer = setTimeout(tick, 10_000);
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    await this.#running;
  }
}
