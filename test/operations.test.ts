import { once } from 'node:events';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { backends } from './helpers/databases.ts';
import { activatedPatient, patientLogin } from './helpers/portal.ts';
import { PatientClient, startTestApp, type TestApp } from './helpers/test-app.ts';
import { loggerOptions } from '../src/http/logging.ts';

const METRICS_TOKEN = 'metrics-token-metrics-token-metrics-token';

describe.each(backends)('operations: metrics, request ids, security headers, proxies on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend, { METRICS_TOKEN, PUBLIC_URL: 'https://portal.example.dk', TRUST_PROXY: '1' });
  });
  afterAll(() => t.close());

  it('serves the Prometheus series an operator needs, only with the bearer token', async () => {
    const { patient, email } = await activatedPatient(t);
    await patientLogin(t, patient.cpr, email);
    expect((await new PatientClient(t.app).startLogin(patient.cpr, 'wrong password here')).statusCode).toBe(401);

    expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer wrong' } })).statusCode).toBe(401);
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toContain('text/plain');
    const body = metrics.body;
    for (const series of [
      'patientportal_http_request_duration_seconds_bucket{le="0.005",method="POST",route="/api/patient/login",status="200"}',
      'patientportal_mail_outbox_pending ',
      'patientportal_mail_outbox_oldest_pending_seconds ',
      'patientportal_mail_outbox_failed ',
      'patientportal_login_requests_open ',
      'patientportal_db_pool_connections_in_use ',
      'patientportal_db_pool_waiting ',
      'patientportal_database_up 1',
      'patientportal_nodejs_eventloop_lag_seconds ',
    ]) {
      expect(body).toContain(series);
    }
    expect(body).toMatch(/patientportal_patient_login_steps_total\{step="code",outcome="succeeded"\} [1-9]/);
    expect(body).toMatch(/patientportal_patient_login_steps_total\{step="password",outcome="failed"\} [1-9]/);
    expect(body).not.toContain(patient.cpr);
  });

  it('answers /metrics to nobody without a token when one is configured, and to loopback only without one', async () => {
    const open = await startTestApp(backend);
    try {
      expect((await open.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' })).statusCode).toBe(200);
      expect((await open.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '203.0.113.9' })).statusCode).toBe(404);
    } finally {
      await open.close();
    }
  });

  it('gives every answer an X-Request-Id, carries it in error bodies, and keeps a sane one from the load balancer', async () => {
    const ok = await t.app.inject({ method: 'GET', url: '/health' });
    expect(ok.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const error = await t.app.inject({ method: 'GET', url: '/api/session' });
    expect(error.statusCode).toBe(401);
    expect(error.json().error.requestId).toBe(error.headers['x-request-id']);
    const kept = await t.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'lb-1234abcd' } });
    expect(kept.headers['x-request-id']).toBe('lb-1234abcd');
    const replaced = await t.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'evil\u202e log line' } });
    expect(replaced.headers['x-request-id']).not.toContain('evil');
  });

  it('writes one access-log line per request, when it completes: method, path without the query, address, status, time and request id; a request the client abandons gets one "request aborted" line, not a database error', async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) };
    const logged = await startTestApp(backend, {}, undefined, { logger: { ...(loggerOptions('info') as object), stream } });
    try {
      const cpr = '0101801234';
      await logged.app.inject({ method: 'GET', url: `/health?cpr=${cpr}`, headers: { 'x-request-id': 'lb-access-0001' } });
      const ofRequest = lines.filter((line) => line.requestId === 'lb-access-0001');
      expect(ofRequest).toEqual([
        expect.objectContaining({
          level: 30,
          msg: 'request completed',
          req: { method: 'GET', path: '/health', remoteAddress: '127.0.0.1' },
          res: { statusCode: 200 },
          responseTime: expect.any(Number),
        }),
      ]);
      expect(JSON.stringify(lines)).not.toContain(cpr);

      // A request the client gives up on before it is answered (here: half its body sent) still has its line.
      await logged.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = logged.app.server.address() as AddressInfo;
      const socket = connect(port, '127.0.0.1');
      await once(socket, 'connect');
      socket.write(
        `POST /api/patient/login?cpr=${cpr} HTTP/1.1\r\nHost: x\r\nX-Request-Id: lb-access-0002\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"ident`,
      );
      // No line is written when a request arrives; give this one time to reach the body parser.
      await new Promise((resolve) => setTimeout(resolve, 300));
      socket.destroy();
      await vi.waitFor(() => expect(lines.filter((line) => line.requestId === 'lb-access-0002').map((line) => line.msg)).toEqual(['request aborted']));
      expect(lines.find((line) => line.requestId === 'lb-access-0002')).toMatchObject({ req: { method: 'POST', path: '/api/patient/login' } });
      expect(JSON.stringify(lines)).not.toContain(cpr);
    } finally {
      await logged.close();
    }
  });

  it('sends helmet security headers: a strict CSP, no framing, HSTS on https', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/api/session' });
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['cache-control']).toBe('no-store');
    // Also on an answer no route gave.
    const missing = await t.app.inject({ method: 'GET', url: '/api/no-such-route' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-security-policy']).toBe(page.headers['content-security-policy']);
    expect(missing.headers['x-frame-options']).toBe('DENY');
    expect(missing.headers['cache-control']).toBe('no-store');
    const plain = await startTestApp(backend);
    try {
      expect((await plain.app.inject({ method: 'GET', url: '/health' })).headers['strict-transport-security']).toBeUndefined();
    } finally {
      await plain.close();
    }
  });

  it('with TRUST_PROXY=1 counts rate limits per client behind the load balancer, not per balancer', async () => {
    const limited = await startTestApp(backend, { TRUST_PROXY: '1', AUTH_RATE_LIMIT_PER_MINUTE: '2' });
    try {
      const from = (client: string) =>
        limited.app.inject({
          method: 'POST',
          url: '/api/patient/forgot-password',
          payload: { identifier: 'nobody@example.test' },
          remoteAddress: '10.0.0.5',
          headers: { 'x-forwarded-for': client },
        });
      expect((await from('198.51.100.1')).statusCode).toBe(200);
      expect((await from('198.51.100.1')).statusCode).toBe(200);
      const third = await from('198.51.100.1');
      expect(third.statusCode).toBe(429);
      expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
      // Another patient behind the same balancer is not limited by the first one's tries.
      expect((await from('198.51.100.2')).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
