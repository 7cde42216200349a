import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AppContext } from '../../context.ts';
import { poolStats } from '../../db/database.ts';
import { errorBody, errors } from '../../errors.ts';
import { readOperationalGauges } from './metrics.repository.ts';

/** The login routes whose outcomes are counted (the second step opens the session). */
const PATIENT_LOGIN_ROUTES: Record<string, 'password' | 'code' | 'mitid'> = {
  '/api/patient/login': 'password',
  '/api/patient/login/code': 'code',
  '/api/mitid/callback': 'mitid',
};

function tokenMatches(header: string | undefined, token: string): boolean {
  const presented = Buffer.from(header?.replace(/^Bearer\s+/i, '') ?? '');
  const expected = Buffer.from(token);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

function isLoopback(request: FastifyRequest): boolean {
  return request.ip === '127.0.0.1' || request.ip === '::1' || request.ip === '::ffff:127.0.0.1';
}

/**
 * Prometheus metrics at GET /metrics (prom-client): HTTP request durations by route and status,
 * the mail outbox, open login requests, patient login outcomes, the database pool and Node's own
 * (event-loop lag, heap, GC). With METRICS_TOKEN set it needs `Authorization: Bearer <token>`;
 * without, it answers loopback clients only (a sidecar or a local agent).
 */
export function registerMetrics(app: FastifyInstance, ctx: AppContext): void {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'patientportal_' });

  const duration = new Histogram({
    name: 'patientportal_http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const logins = new Counter({
    name: 'patientportal_patient_login_steps_total',
    help: 'Patient login steps by step (password, code, mitid) and outcome (succeeded, failed, limited, unavailable: turned away in a flood or no database)',
    labelNames: ['step', 'outcome'] as const,
    registers: [registry],
  });
  const gauge = (name: string, help: string) => new Gauge({ name: `patientportal_${name}`, help, registers: [registry] });
  const outboxPending = gauge('mail_outbox_pending', 'Mails waiting to be sent');
  const outboxOldest = gauge('mail_outbox_oldest_pending_seconds', 'Age of the oldest mail waiting to be sent');
  const outboxFailed = gauge('mail_outbox_failed', 'Mails that failed for good and wait for a person');
  const openRequests = gauge('login_requests_open', 'Open login requests (Loginbestillinger) over all clinics');
  const poolTotal = gauge('db_pool_connections', 'Open database connections of this process');
  const poolInUse = gauge('db_pool_connections_in_use', 'Database connections checked out by a request or the worker');
  const poolWaiting = gauge('db_pool_waiting', 'Requests waiting for a database connection');
  const databaseUp = gauge('database_up', '1 when the database answered this scrape, 0 when it did not');

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    if (route === '/metrics') return;
    duration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    const step = PATIENT_LOGIN_ROUTES[route];
    if (step) {
      const outcome = reply.statusCode < 400 ? 'succeeded' : reply.statusCode === 429 ? 'limited' : reply.statusCode === 503 ? 'unavailable' : 'failed';
      logins.inc({ step, outcome });
    }
  });

  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    const allowed = ctx.config.metricsToken ? tokenMatches(request.headers.authorization, ctx.config.metricsToken) : isLoopback(request);
    if (!allowed)
      return reply.status(ctx.config.metricsToken ? 401 : 404).send(errorBody(ctx.config.metricsToken ? errors.unauthenticated() : errors.notFound()));
    const pool = poolStats(ctx.db);
    poolTotal.set(pool.total);
    poolInUse.set(pool.total - pool.idle);
    poolWaiting.set(pool.waiting);
    try {
      const gauges = await readOperationalGauges(ctx.db, ctx.clock.now());
      outboxPending.set(gauges.outboxPending);
      outboxOldest.set(gauges.outboxOldestPendingSeconds);
      outboxFailed.set(gauges.outboxFailed);
      openRequests.set(gauges.openLoginRequests);
      databaseUp.set(1);
    } catch {
      // The database is away: say so; the process metrics still tell the operator the rest.
      databaseUp.set(0);
    }
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
