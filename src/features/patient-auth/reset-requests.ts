import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { AppContext } from '../../context.ts';
import { safeError } from '../../http/safe-error.ts';
import { mailPasswordReset } from './patient-links.ts';

/**
 * "Glemt adgangskode" in two halves, so that the answer's timing cannot tell whether a login
 * exists: the request stores what was typed (one INSERT, the same for every identifier) and
 * answers; handlePasswordResetRequests looks the login up later and mails the link.
 */
export async function recordPasswordResetRequest(ctx: AppContext, input: { identifier: string; ip: string }): Promise<void> {
  await ctx.db
    .insertInto('password_reset_requests')
    .values({ id: randomUUID(), identifier: input.identifier, ip: input.ip, created_at: ctx.clock.now() })
    .execute();
}

/**
 * Handles the waiting requests, one transaction each: the row is deleted in the transaction that
 * issues the link and enqueues its mail, so each is handled exactly once, also with several app
 * processes (SKIP LOCKED). Returns how many were handled.
 */
export async function handlePasswordResetRequests(ctx: AppContext, limit = 100): Promise<number> {
  let handled = 0;
  while (handled < limit) {
    const found = await ctx.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('password_reset_requests').selectAll().orderBy('created_at').limit(1).forUpdate().skipLocked().executeTakeFirst();
      if (!row) return false;
      await trx.deleteFrom('password_reset_requests').where('id', '=', row.id).execute();
      await mailPasswordReset(trx, ctx, { identifier: row.identifier, ip: row.ip }, ctx.clock.now());
      return true;
    });
    if (!found) break;
    handled++;
  }
  return handled;
}

/** Runs handlePasswordResetRequests every second until the returned stop() is awaited. */
export function startPasswordResetWorker(ctx: AppContext, log: Pick<FastifyBaseLogger, 'error'>, everyMs = 1000): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running
      .then(() => handlePasswordResetRequests(ctx))
      .catch((error: unknown) => {
        log.error({ err: safeError(error) }, 'password reset requests failed');
      });
  }, everyMs);
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
