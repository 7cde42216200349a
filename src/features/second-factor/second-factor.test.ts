import { Secret, TOTP } from 'otpauth';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/databases.ts';
import { buildClinic, buildStaff, TEST_PASSWORD } from '../../../test/helpers/factories.ts';
import { StaffClient, startTestApp, type TestApp } from '../../../test/helpers/test-app.ts';

const PENDING = 'pp_staff_2fa';
const SESSION = 'pp_staff_session';

describe.each(backends)('staff second factor (TOTP, recovery codes) on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(() => t.close());

  const cookieOf = (response: LightMyRequestResponse, name: string) => response.cookies.find((c) => c.name === name)?.value;
  const codeAt = (secret: string, offsetMs = 0) =>
    new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) }).generate({ timestamp: t.clock.now().getTime() + offsetMs });

  /** Password step; returns the body and the waiting login's cookie. */
  async function passwordStep(email: string) {
    const response = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password: TEST_PASSWORD } });
    expect(response.statusCode).toBe(200);
    expect(cookieOf(response, SESSION)).toBeUndefined();
    return { body: response.json<{ secondFactor?: { step: string } }>(), pending: cookieOf(response, PENDING) };
  }
  const withPending = (pending: string | undefined, url: string, payload: object = {}) =>
    t.app.inject({ method: 'POST', url, payload, headers: pending ? { cookie: `${PENDING}=${pending}` } : {} });

  async function enrolAtLogin(email: string) {
    const { body, pending } = await passwordStep(email);
    expect(body.secondFactor?.step).toBe('enroll');
    const { secret } = (await withPending(pending, '/api/auth/second-factor/totp')).json<{ secret: string; uri: string }>();
    const confirmed = await withPending(pending, '/api/auth/second-factor/totp/confirm', { code: codeAt(secret) });
    expect(confirmed.statusCode).toBe(200);
    return { secret, confirmed };
  }

  async function adminRequires(clinicId: string) {
    const admin = await buildStaff(t.ctx.db, { clinics: [{ id: clinicId, role: 'admin' }] });
    const client = new StaffClient(t.app);
    expect((await client.login(admin.email, admin.password)).statusCode).toBe(200);
    expect((await client.put(`/api/clinics/${clinicId}/security`, { requireStaff2fa: true })).statusCode).toBe(200);
  }

  it('issues the session only after the second factor: enrolment at the first login once the clinic admin requires it, a code at every login after', async () => {
    const clinic = await buildClinic(t.ctx.db);
    const staff = await buildStaff(t.ctx.db, { clinics: [{ id: clinic.id }] });
    await adminRequires(clinic.id);

    const { secret, confirmed } = await enrolAtLogin(staff.email);
    const first = confirmed.json<{ recoveryCodes: string[]; session: { user: { email: string } } }>();
    expect(first.recoveryCodes).toHaveLength(10);
    expect(first.session.user.email).toBe(staff.email);
    expect(cookieOf(confirmed, SESSION)).toBeTruthy();
    const stored = await t.ctx.db.selectFrom('staff_users').select('totp_secret').where('id', '=', staff.id).executeTakeFirstOrThrow();
    expect(stored.totp_secret).not.toContain(secret);

    t.clock.advance(60_000);
    const { body, pending } = await passwordStep(staff.email);
    expect(body.secondFactor?.step).toBe('verify');
    // The waiting login is no session.
    const early = await t.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: `${SESSION}=${pending!}` } });
    expect(early.statusCode).toBe(401);
    const wrong = await withPending(pending, '/api/auth/second-factor', { method: 'totp', code: codeAt(secret, 10 * 60_000) });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('second_factor_wrong');
    const right = await withPending(pending, '/api/auth/second-factor', { method: 'totp', code: codeAt(secret) });
    expect(right.statusCode).toBe(200);
    expect(cookieOf(right, SESSION)).toBeTruthy();

    // The same code cannot be used again, not even by a new password step.
    const again = await passwordStep(staff.email);
    expect((await withPending(again.pending, '/api/auth/second-factor', { method: 'totp', code: codeAt(secret) })).statusCode).toBe(401);
  });

  it('accepts each recovery code once, and at most 5 tries per waiting login', async () => {
    const clinic = await buildClinic(t.ctx.db);
    const staff = await buildStaff(t.ctx.db, { clinics: [{ id: clinic.id }] });
    await adminRequires(clinic.id);
    const { confirmed } = await enrolAtLogin(staff.email);
    const [recovery] = confirmed.json<{ recoveryCodes: string[] }>().recoveryCodes;

    const one = await passwordStep(staff.email);
    expect((await withPending(one.pending, '/api/auth/second-factor', { method: 'recovery', code: recovery!.toUpperCase() })).statusCode).toBe(200);
    const two = await passwordStep(staff.email);
    expect((await withPending(two.pending, '/api/auth/second-factor', { method: 'recovery', code: recovery! })).json().error.code).toBe('second_factor_wrong');

    const three = await passwordStep(staff.email);
    const codes = [];
    for (let i = 0; i < 6; i++) codes.push((await withPending(three.pending, '/api/auth/second-factor', { method: 'totp', code: '000000' })).json().error.code);
    expect(codes).toEqual([
      'second_factor_wrong',
      'second_factor_wrong',
      'second_factor_wrong',
      'second_factor_wrong',
      'second_factor_expired',
      'second_factor_expired',
    ]);
  });

  it('does not let a waiting login replace an authenticator already set up', async () => {
    const clinic = await buildClinic(t.ctx.db);
    const staff = await buildStaff(t.ctx.db, { clinics: [{ id: clinic.id }] });
    await adminRequires(clinic.id);
    await enrolAtLogin(staff.email);
    const { pending } = await passwordStep(staff.email);
    expect((await withPending(pending, '/api/auth/second-factor/totp')).statusCode).toBe(403);
    expect((await withPending(undefined, '/api/auth/second-factor/totp')).statusCode).toBe(401);
  });

  it('lets only a clinic admin require it for the clinic, and only support for everyone', async () => {
    const clinic = await buildClinic(t.ctx.db);
    const staff = await buildStaff(t.ctx.db, { clinics: [{ id: clinic.id }] });
    const client = new StaffClient(t.app);
    await client.login(staff.email, staff.password);
    expect((await client.put(`/api/clinics/${clinic.id}/security`, { requireStaff2fa: true })).statusCode).toBe(403);
    expect((await client.put('/api/support/security', { requireStaff2fa: true })).statusCode).toBe(403);

    const support = await buildStaff(t.ctx.db, { isSupport: true });
    const supportClient = new StaffClient(t.app);
    await supportClient.login(support.email, support.password);
    expect((await supportClient.put('/api/support/security', { requireStaff2fa: true })).statusCode).toBe(200);
    try {
      const other = await buildStaff(t.ctx.db, { clinics: [{ id: (await buildClinic(t.ctx.db)).id }] });
      expect((await passwordStep(other.email)).body.secondFactor?.step).toBe('enroll');
    } finally {
      await t.ctx.db.updateTable('platform_settings').set({ require_staff_2fa: false }).execute();
    }
  });
});
