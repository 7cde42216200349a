import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { errors } from '../../errors.ts';
import { countHit } from './counters.repository.ts';

export interface RouteRateLimit {
  /** Requests allowed per client address and window. */
  max: number;
  windowMs: number;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    rateLimit?: RouteRateLimit;
  }
}

/**
 * Per-route limits per client address (`config: { rateLimit }` on a route), counted in
 * PostgreSQL so they hold across app processes and restarts. We count in our own table rather
 * than with @fastify/rate-limit or rate-limiter-flexible: those keep their own clock (tests move
 * ours) and their own connection handling outside our pool, timeouts and migrations; the one
 * atomic upsert in counters.repository.ts is all the logic there is.
 */
export function registerRateLimits(app: FastifyInstance, ctx: AppContext): void {
  app.addHook('onRequest', async (request, reply) => {
    const limit = request.routeOptions.config.rateLimit;
    if (!limit) return;
    const now = ctx.clock.now();
    const { hits, windowEndsAt } = await countHit(ctx.db, `ip:${request.routeOptions.url ?? request.url}:${request.ip}`, now, limit.windowMs);
    if (hits > limit.max) {
      void reply.header('Retry-After', String(Math.max(1, Math.ceil((windowEndsAt.getTime() - now.getTime()) / 1000))));
      throw errors.tooManyRequests();
    }
  });
}

/** The limit for login, code, link and registration routes: AUTH_RATE_LIMIT_PER_MINUTE per address. */
export const authRateLimit = (ctx: AppContext, divisor = 1): { rateLimit: RouteRateLimit } => ({
  rateLimit: {
    max: divisor === 1 ? ctx.config.authRateLimitPerMinute : Math.max(3, Math.floor(ctx.config.authRateLimitPerMinute / divisor)),
    windowMs: 60_000,
  },
});
