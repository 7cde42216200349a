import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueMail } from '../src/features/mail/outbox.ts';
import type { SmtpSink } from '../src/features/mail/smtp-sink.ts';
import { backends } from './helpers/databases.ts';
import { activatedPatient, mailedCode, PATIENT_PASSWORD } from './helpers/portal.ts';
import { startServerProcess, type ServerProcess } from './helpers/server-process.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';

const SESSION_SECRET = 'two-processes-share-this-secret-0123456789';

const post = (server: ServerProcess, url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${url}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

/**
 * The compiled server (dist/server/main.js) as production runs it: two processes on one
 * PostgreSQL, as behind a load balancer.
 */
describe.each(backends)('two production processes on one PostgreSQL (%s)', (backend) => {
  let t: TestApp;
  let smtp: SmtpSink;
  let a: ServerProcess;
  let b: ServerProcess;

  beforeAll(async () => {
    t = await startTestApp(backend); // migrates the database and builds the test data
    // The processes deliver to the test app's SMTP server: whichever worker sends a mail, the test sees it.
    smtp = t.smtp;
    const env = {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      DATABASE_URL: t.database.url,
      SMTP_URL: smtp.url,
      SESSION_SECRET,
      LOG_LEVEL: 'warn',
    };
    [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  });
  afterAll(async () => {
    await Promise.all([a.stop(), b.stop()]);
    await t.close();
  });

  it('prints no demo banner, mounts no /dev pages and starts no MitID test broker', async () => {
    for (const server of [a, b]) {
      expect(server.output()).not.toMatch(/Demo|adgangskode|Demo-adgang-2026|MitID-testbroker/);
      expect(server.output()).toContain('MitID: ikke konfigureret');
      expect((await fetch(`${server.url}/dev/mail`)).status).toBe(404);
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
    }
  });

  it("counts a patient's wrong guesses split over both processes together", async () => {
    const { patient } = await activatedPatient(t);
    let lastFailureAt = 0;
    for (const server of [a, b, a, b, a]) {
      expect((await post(server, '/api/patient/login', { identifier: patient.cpr, password: `wrong guess ${Math.random()}` })).status).toBe(401);
      lastFailureAt = Date.now();
    }
    // Five failures in all, counted in the shared tables (each process alone saw fewer than five).
    const throttle = await t.ctx.db
      .selectFrom('login_throttles')
      .select(['failures', 'next_try_at'])
      .where('key', '=', `cpr:${patient.cpr}`)
      .executeTakeFirstOrThrow();
    expect(throttle.failures).toBe(5);
    const account = await t.ctx.db.selectFrom('patient_accounts').select('failed_logins').where('cpr', '=', patient.cpr).executeTakeFirstOrThrow();
    expect(account.failed_logins).toBe(5);
    // So the sixth try, on the other process, must wait the 1 s slow-down (a loaded machine may take that long itself).
    const sixth = await post(b, '/api/patient/login', { identifier: patient.cpr, password: 'one more wrong guess' });
    if (sixth.status !== 429) expect(Date.now() - lastFailureAt).toBeGreaterThanOrEqual(1000);
    expect([401, 429]).toContain(sixth.status);
  });

  it('opens a session on one process that the other honours', async () => {
    const { patient, email } = await activatedPatient(t);
    const before = smtp.lastId; // the activation mail went to the same address
    const step1 = await post(a, '/api/patient/login', { identifier: patient.cpr, password: PATIENT_PASSWORD });
    expect(step1.status).toBe(200);
    const { challengeId } = (await step1.json()) as { challengeId: string };
    const code = mailedCode((await smtp.waitFor(email, 15_000, before)).text);
    const step2 = await post(b, '/api/patient/login/code', { challengeId, code });
    expect(step2.status).toBe(200);
    const cookie = step2.headers.get('set-cookie')!.split(';')[0]!;
    for (const server of [a, b]) {
      const me = await fetch(`${server.url}/api/patient/me`, { headers: { cookie } });
      expect(me.status).toBe(200);
    }
  });

  it('sends each mail once although both processes run the mail worker', async () => {
    const to = `once-${Date.now()}@example.test`;
    await t.ctx.db.transaction().execute(async (trx) => {
      for (let i = 0; i < 30; i++) {
        await enqueueMail(trx, { to, template: 'patientLoginCode', params: { code: String(10_000_000 + i), validMinutes: 10 } }, new Date());
      }
    });
    const deadline = Date.now() + 20_000;
    while (smtp.messages.filter((m) => m.to.includes(to)).length < 30 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 2000)); // any duplicate would arrive by now
    const codes = smtp.messages.filter((m) => m.to.includes(to)).map((m) => mailedCode(m.text));
    expect(codes).toHaveLength(30);
    expect(new Set(codes).size).toBe(30);
  });
});
