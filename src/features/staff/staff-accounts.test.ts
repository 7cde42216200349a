import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hours } from '../../clock.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { buildClinic, buildStaff } from '../../../test/helpers/factories.ts';
import { StaffClient, startTestApp, type TestApp } from '../../../test/helpers/test-app.ts';
import { MailWorker } from '../mail/mail-worker.ts';
import { SmtpSink } from '../mail/smtp-sink.ts';
import { createStaffUser } from './staff-accounts.ts';

const CLI = { type: 'cli' as const, id: null, ip: null };
const noop = (): void => {
  // a logger that drops everything: the tests look at what was sent, not at the log
};
const silent = { info: noop, warn: noop, error: noop };

describe.each(backends)('new staff users choose a password from a mailed link on %s', (backend) => {
  let t: TestApp;
  let sink: SmtpSink;
  let worker: MailWorker;
  let clinicId: string;

  const linkTokenFrom = (text: string) => /set-password#token=([A-Za-z0-9_-]+)/.exec(text)?.[1];
  const newUser = async (email: string) => {
    await createStaffUser(t.ctx.db, { email, name: 'Ny Medarbejder', clinics: [{ clinicId, role: 'staff' }] }, CLI, t.clock.now(), t.ctx.config.publicUrl);
    await worker.runOnce();
    return linkTokenFrom((await sink.waitFor(email)).text)!;
  };
  const setPassword = (token: string, password: string) => t.app.inject({ method: 'POST', url: '/api/auth/set-password', payload: { token, password } });

  beforeAll(async () => {
    t = await startTestApp(backend);
    sink = new SmtpSink();
    await sink.listen(0);
    worker = new MailWorker({ db: t.ctx.db, clock: t.clock, smtpUrl: sink.url, from: 'no-reply@test.dk', log: silent });
    clinicId = (await buildClinic(t.ctx.db)).id;
  });
  afterAll(async () => {
    await worker.stop();
    await sink.close();
    await t.close();
  });

  it('mails a link that sets the password once; the user can then log in', async () => {
    const token = await newUser('ny1@klinik.test');
    expect(token).toBeDefined();
    const stored = await t.ctx.db.selectFrom('staff_password_tokens').select('token_hash').execute();
    expect(stored.some((s) => s.token_hash === token)).toBe(false);
    expect((await setPassword(token, 'et langt og godt kodeord')).statusCode).toBe(200);
    const login = await new StaffClient(t.app).login('ny1@klinik.test', 'et langt og godt kodeord');
    expect(login.statusCode).toBe(200);
    const reused = await setPassword(token, 'et andet langt kodeord');
    expect(reused.statusCode).toBe(410);
    expect(reused.json().error.code).toBe('link_invalid');
  });

  it('uses the link exactly once when it is submitted twice at the same moment', async () => {
    const token = await newUser('ny2@klinik.test');
    const results = await Promise.all([setPassword(token, 'første kodeord her'), setPassword(token, 'andet kodeord her')]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 410]);
  });

  it('refuses an expired link and a too short password', async () => {
    const token = await newUser('ny3@klinik.test');
    const short = await setPassword(token, 'kort');
    expect(short.statusCode).toBe(400);
    expect(short.json().error.field).toBe('password');
    t.clock.advance(hours(7 * 24 + 1));
    expect((await setPassword(token, 'et langt og godt kodeord')).statusCode).toBe(410);
  });

  it('holds staff passwords to the patients’ rules: no common password, not the e-mail, not one repeated character', async () => {
    const token = await newUser('ny.regler@klinik.test');
    for (const [password, reason] of [
      ['unbelievable', /most common/],
      ['ny.regler@klinik.test!', /e-mail/],
      [' '.repeat(14), /only spaces/],
      ['z'.repeat(14), /one character repeated/],
    ] as const) {
      const refused = await setPassword(token, password);
      expect(refused.statusCode).toBe(400);
      expect(refused.json().error.message.en).toMatch(reason);
    }
    expect((await setPassword(token, 'en helt anden sætning')).statusCode).toBe(200);
  });

  it('writes no user, no audit row and no mail when creation fails', async () => {
    await createStaffUser(t.ctx.db, { email: 'dup@klinik.test', name: 'A', clinics: [] }, CLI, t.clock.now(), 'http://x');
    const before = await t.ctx.db.selectFrom('outbox_mails').select('id').execute();
    await expect(
      createStaffUser(
        t.ctx.db,
        { email: 'DUP@klinik.test', name: 'B', clinics: [{ clinicId: '00000000-0000-0000-0000-000000000000', role: 'staff' }] },
        CLI,
        t.clock.now(),
        'http://x',
      ),
    ).rejects.toMatchObject({ code: 'email_taken' });
    await expect(
      createStaffUser(
        t.ctx.db,
        { email: 'other@klinik.test', name: 'C', clinics: [{ clinicId: '00000000-0000-0000-0000-000000000000', role: 'staff' }] },
        CLI,
        t.clock.now(),
        'http://x',
      ),
    ).rejects.toThrow();
    expect(await t.ctx.db.selectFrom('staff_users').select('id').where('email', '=', 'other@klinik.test').execute()).toHaveLength(0);
    expect(await t.ctx.db.selectFrom('outbox_mails').select('id').execute()).toHaveLength(before.length);
  });

  it('shows undeliverable mail to the clinic admin and to support, and support can queue it again', async () => {
    sink.rejectTo.add('bounce@klinik.test');
    await createStaffUser(t.ctx.db, { email: 'bounce@klinik.test', name: 'B', clinics: [{ clinicId, role: 'staff' }] }, CLI, t.clock.now(), 'http://x');
    await worker.runOnce();
    const admin = await buildStaff(t.ctx.db, { clinics: [{ id: clinicId, role: 'admin' }] });
    const plain = await buildStaff(t.ctx.db, { clinics: [{ id: clinicId, role: 'staff' }] });
    const support = await buildStaff(t.ctx.db, { isSupport: true });
    const adminClient = new StaffClient(t.app);
    await adminClient.login(admin.email, admin.password);
    const listed = await adminClient.get(`/api/clinics/${clinicId}/failed-mails`);
    expect(listed.json().mails.map((m: { to: string }) => m.to)).toContain('bounce@klinik.test');
    const plainClient = new StaffClient(t.app);
    await plainClient.login(plain.email, plain.password);
    expect((await plainClient.get(`/api/clinics/${clinicId}/failed-mails`)).statusCode).toBe(403);

    const supportClient = new StaffClient(t.app);
    await supportClient.login(support.email, support.password);
    const all = await supportClient.get('/api/support/failed-mails');
    // Support sees the clinic, template, error and time, never the address.
    const failed = all.json().mails.find((m: { to: string }) => m.to === 'b***@k***.test');
    expect(failed.lastError).toMatch(/^550/);
    expect(failed.clinicName).toBeTruthy();
    expect(all.body).not.toContain('bounce@klinik.test');
    sink.rejectTo.delete('bounce@klinik.test');
    expect((await supportClient.post(`/api/support/failed-mails/${failed.id}/retry`)).statusCode).toBe(200);
    await worker.runOnce();
    await sink.waitFor('bounce@klinik.test');
  });
});
