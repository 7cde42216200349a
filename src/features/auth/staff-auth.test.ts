import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { minutes, hours } from '../../clock.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { buildClinic, buildStaff } from '../../../test/helpers/factories.ts';
import { StaffClient, startTestApp, type TestApp } from '../../../test/helpers/test-app.ts';

describe.each(backends)('staff authentication on %s', (backend) => {
  let t: TestApp;
  let clinicId: string;
  let staff: { id: string; email: string; password: string };

  beforeAll(async () => {
    t = await startTestApp(backend);
    clinicId = (await buildClinic(t.ctx.db)).id;
    staff = await buildStaff(t.ctx.db, { clinics: [{ id: clinicId }] });
  });
  afterAll(() => t.close());

  it('logs in with e-mail and password, sets an HttpOnly SameSite=Lax cookie and audits the login', async () => {
    const client = new StaffClient(t.app);
    const response = await client.login(staff.email.toUpperCase(), staff.password);
    expect(response.statusCode).toBe(200);
    const cookie = String(response.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(response.json().activeClinicId).toBe(clinicId);
    const me = await client.get('/api/session');
    expect(me.json().user.id).toBe(staff.id);
    const audit = await t.ctx.db.selectFrom('audit_events').selectAll().where('actor_id', '=', staff.id).where('action', '=', 'staff.login').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.ip).toBe('127.0.0.1');
  });

  it('stores only a hash of the session token', async () => {
    const client = new StaffClient(t.app);
    await client.login(staff.email, staff.password);
    const token = client.cookie.split('=')[1]!;
    const rows = await t.ctx.db.selectFrom('staff_sessions').select('token_hash').execute();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.some((r) => r.token_hash === token)).toBe(false);
  });

  it('gives the same answer for a wrong password and an unknown e-mail', async () => {
    const wrong = await new StaffClient(t.app).login(staff.email, 'not the password at all');
    const unknown = await new StaffClient(t.app).login('nobody@nowhere.test', 'not the password at all');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect({ ...wrong.json().error, requestId: undefined }).toEqual({ ...unknown.json().error, requestId: undefined });
    expect(wrong.json().error.code).toBe('invalid_credentials');
  });

  it('marks the Secure flag on the cookie when the public URL is https', async () => {
    const secure = await startTestApp(backend, { PUBLIC_URL: 'https://portal.example.dk' });
    try {
      const user = await buildStaff(secure.ctx.db);
      const response = await new StaffClient(secure.app).login(user.email, user.password);
      expect(String(response.headers['set-cookie'])).toMatch(/^__Host-pp_staff_session=.*Secure/);
    } finally {
      await secure.close();
    }
  });

  it('ends the session on the server at logout, so the old cookie no longer works', async () => {
    const client = new StaffClient(t.app);
    await client.login(staff.email, staff.password);
    expect((await client.post('/api/auth/logout')).statusCode).toBe(200);
    const after = await client.get('/api/session');
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('unauthenticated');
  });

  it('refuses a state change without the CSRF token of the session', async () => {
    const client = new StaffClient(t.app);
    await client.login(staff.email, staff.password);
    const missing = await client.request('POST', '/api/auth/logout', {}, { 'x-csrf-token': '' });
    expect(missing.statusCode).toBe(403);
    expect(missing.json().error.code).toBe('csrf_failed');
    const other = new StaffClient(t.app);
    await other.login(staff.email, staff.password);
    const foreign = await client.request('POST', '/api/auth/logout', {}, { 'x-csrf-token': other.csrf });
    expect(foreign.statusCode).toBe(403);
    expect((await client.get('/api/session')).statusCode).toBe(200);
  });

  it('expires a session after 30 idle minutes', async () => {
    const client = new StaffClient(t.app);
    await client.login(staff.email, staff.password);
    t.clock.advance(minutes(29));
    expect((await client.get('/api/session')).statusCode).toBe(200);
    t.clock.advance(minutes(29)); // active 29 minutes ago: still within the window
    expect((await client.get('/api/session')).statusCode).toBe(200);
    t.clock.advance(minutes(31));
    const expired = await client.get('/api/session');
    expect(expired.statusCode).toBe(401);
    expect(expired.json().error.code).toBe('session_expired');
    expect((await client.get('/api/session')).json().error.code).toBe('unauthenticated');
  });

  it('expires a session 12 hours after login however active it is', async () => {
    const client = new StaffClient(t.app);
    await client.login(staff.email, staff.password);
    for (let elapsed = 0; elapsed < hours(12) - minutes(20); elapsed += minutes(20)) {
      t.clock.advance(minutes(20));
      expect((await client.get('/api/session')).statusCode).toBe(200);
    }
    t.clock.advance(minutes(21));
    expect((await client.get('/api/session')).json().error.code).toBe('session_expired');
  });

  it('lets a multiklinik user switch to another of their clinics but not to a foreign one', async () => {
    const second = await buildClinic(t.ctx.db, { name: 'Anden klinik' });
    const foreign = await buildClinic(t.ctx.db, { name: 'Fremmed klinik' });
    const multi = await buildStaff(t.ctx.db, { clinics: [{ id: clinicId }, { id: second.id }] });
    const client = new StaffClient(t.app);
    const login = await client.login(multi.email, multi.password);
    expect(login.json().clinics).toHaveLength(2);
    const switched = await client.put('/api/session/clinic', { clinicId: second.id });
    expect(switched.json().activeClinicId).toBe(second.id);
    expect((await client.get('/api/session')).json().activeClinicId).toBe(second.id);
    expect((await client.put('/api/session/clinic', { clinicId: foreign.id })).statusCode).toBe(403);
  });

  it('answers a malformed login with a field error, not a 500', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'x@y.dk' } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'validation_failed', field: 'password' });
    expect(response.json().error.message.da).toContain('password');
    const notJson = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: '{bad', headers: { 'content-type': 'application/json' } });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().error.code).toBe('validation_failed');
  });
});
