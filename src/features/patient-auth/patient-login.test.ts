import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { minutes } from '../../clock.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { activatedPatient, linkToken, mailedCode, patientLogin, PATIENT_PASSWORD } from '../../../test/helpers/portal.ts';
import { answerBody, PatientClient, startTestApp, type TestApp } from '../../../test/helpers/test-app.ts';
import { expectBothTurnedAway, floodPasswordChecks, loginTriesCounted } from '../../../test/helpers/busy-logins.ts';

describe.each(backends)('patient login with password and mailed code on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(() => t.close());

  it('logs in by CPR with or without the dash, and by e-mail in any case', async () => {
    const { patient, email } = await activatedPatient(t);
    await patientLogin(t, patient.cpr, email);
    await patientLogin(t, `${patient.cpr.slice(0, 6)}-${patient.cpr.slice(6)}`, email);
    const client = await patientLogin(t, email.toUpperCase(), email);
    expect((await client.get('/api/patient/me')).json().email).toBe(email);
  });

  it('turns a login away with 503 busy while the password checks queue is full, the same for a known and an unknown login, counting no try and no failure', async () => {
    const { patient, email } = await activatedPatient(t);
    const flood = floodPasswordChecks();
    const triesBefore = await loginTriesCounted(t.ctx.db);
    const known = await new PatientClient(t.app).startLogin(patient.cpr, PATIENT_PASSWORD);
    const unknown = await new PatientClient(t.app).startLogin('0101019999', PATIENT_PASSWORD);
    expectBothTurnedAway(known, unknown);
    // Turned away before any database work: not counted as a try for the slow-down either.
    expect(await loginTriesCounted(t.ctx.db)).toBe(triesBefore);
    await flood;
    const account = await t.ctx.db.selectFrom('patient_accounts').select('failed_logins').where('cpr', '=', patient.cpr).executeTakeFirstOrThrow();
    expect(account.failed_logins).toBe(0);
    await patientLogin(t, patient.cpr, email);
  });

  it('mails an 8-digit code that works once, for 10 minutes', async () => {
    const { patient, email } = await activatedPatient(t);
    const client = new PatientClient(t.app);
    const { challengeId } = (await client.startLogin(patient.cpr, PATIENT_PASSWORD)).json();
    const code = mailedCode((await t.mailTo(email)).text)!;
    expect(code).toMatch(/^\d{8}$/);
    t.clock.advance(minutes(10));
    const late = await client.enterCode(challengeId, code);
    expect(late.statusCode).toBe(401);
    expect(late.json().error.code).toBe('code_expired');

    const again = (await client.startLogin(patient.cpr, PATIENT_PASSWORD)).json().challengeId;
    const fresh = mailedCode((await t.mailTo(email)).text)!;
    expect((await client.enterCode(again, fresh)).statusCode).toBe(200);
    expect((await new PatientClient(t.app).enterCode(again, fresh)).json().error.code).toBe('code_expired');
  });

  it('allows at most 5 tries of a code', async () => {
    const { patient, email } = await activatedPatient(t);
    const client = new PatientClient(t.app);
    const { challengeId } = (await client.startLogin(patient.cpr, PATIENT_PASSWORD)).json();
    const code = mailedCode((await t.mailTo(email)).text)!;
    const wrong = code === '00000000' ? '11111111' : '00000000';
    for (let left = 4; left >= 1; left--) {
      const response = await client.enterCode(challengeId, wrong);
      expect(response.json().error).toMatchObject({ code: 'code_wrong' });
      expect(response.json().error.message.en).toContain(`${left} tries left`);
    }
    expect((await client.enterCode(challengeId, wrong)).json().error.code).toBe('code_expired');
    expect((await client.enterCode(challengeId, code)).json().error.code).toBe('code_expired');
  });

  it('answers a wrong password, an unknown CPR, an unknown e-mail and a not yet activated login alike', async () => {
    const { patient } = await activatedPatient(t);
    const answers = await Promise.all([
      new PatientClient(t.app).startLogin(patient.cpr, 'wrong password here'),
      new PatientClient(t.app).startLogin('010101-0000', 'wrong password here'),
      new PatientClient(t.app).startLogin('nobody@example.test', 'wrong password here'),
    ]);
    for (const answer of answers) {
      expect(answer.statusCode).toBe(401);
      expect(answerBody(answer)).toEqual(answerBody(answers[0]));
    }
  });

  it('slows guessing after 5 failures, for known and unknown accounts alike, without locking out', async () => {
    const { patient, email } = await activatedPatient(t);
    for (const identifier of [patient.cpr, 'ghost@example.test']) {
      for (let i = 0; i < 5; i++) expect((await new PatientClient(t.app).startLogin(identifier, 'wrong guess number')).statusCode).toBe(401);
      expect((await new PatientClient(t.app).startLogin(identifier, 'wrong guess number')).statusCode).toBe(429);
      t.clock.advance(1000);
      expect((await new PatientClient(t.app).startLogin(identifier, 'wrong guess number')).statusCode).toBe(401);
      expect((await new PatientClient(t.app).startLogin(identifier, 'wrong guess number')).statusCode).toBe(429);
    }
    t.clock.advance(minutes(1));
    await patientLogin(t, patient.cpr, email);
  });

  it('lets a burst of 25 parallel wrong passwords reach the password check only 5 times', async () => {
    const { patient } = await activatedPatient(t);
    const burst = await Promise.all(Array.from({ length: 25 }, (_, i) => new PatientClient(t.app).startLogin(patient.cpr, `parallel guess ${String(i)}`)));
    expect(burst.filter((r) => r.statusCode === 401)).toHaveLength(5);
    expect(burst.filter((r) => r.statusCode === 429)).toHaveLength(20);
  });

  it('stops a login after 100 consecutive failures until the patient resets the password', async () => {
    const { patient, email } = await activatedPatient(t);
    for (let i = 0; i < 100; i++) {
      t.clock.advance(minutes(1)); // past the slow-down, so each try counts
      expect((await new PatientClient(t.app).startLogin(patient.cpr, `wrong guess ${i}`)).statusCode).toBe(401);
    }
    t.clock.advance(minutes(1));
    const stopped = await new PatientClient(t.app).startLogin(patient.cpr, PATIENT_PASSWORD);
    expect(stopped.statusCode).toBe(403);
    expect(stopped.json().error.code).toBe('login_stopped');
    const account = await t.ctx.db
      .selectFrom('patient_accounts')
      .select(['stopped_at', 'failed_logins'])
      .where('cpr', '=', patient.cpr)
      .executeTakeFirstOrThrow();
    expect(account.failed_logins).toBe(100);
    expect(account.stopped_at).not.toBeNull();

    await t.app.inject({ method: 'POST', url: '/api/patient/forgot-password', payload: { identifier: email } });
    const token = linkToken((await t.mailTo(email)).text, '/portal/reset')!;
    await t.app.inject({ method: 'POST', url: '/api/patient/password-reset', payload: { token, password: 'frisk start med ny kode' } });
    await patientLogin(t, patient.cpr, email, 'frisk start med ny kode');
  });

  it('"Glemt adgangskode" answers the same for every identifier and mails only a real login', async () => {
    const { email } = await activatedPatient(t);
    const before = t.mailCount(email);
    const known = await t.app.inject({ method: 'POST', url: '/api/patient/forgot-password', payload: { identifier: email } });
    const unknown = await t.app.inject({ method: 'POST', url: '/api/patient/forgot-password', payload: { identifier: 'ghost@example.test' } });
    expect(known.statusCode).toBe(200);
    expect(known.body).toBe(unknown.body);
    await t.mailTo(email);
    expect(t.mailCount(email)).toBe(before + 1);
    expect(t.mailCount('ghost@example.test')).toBe(0);
  });

  it('ends every session of the patient when the password is reset', async () => {
    const { patient, email } = await activatedPatient(t);
    const one = await patientLogin(t, patient.cpr, email);
    const two = await patientLogin(t, email, email);
    await t.app.inject({ method: 'POST', url: '/api/patient/forgot-password', payload: { identifier: patient.cpr } });
    const token = linkToken((await t.mailTo(email)).text, '/portal/reset')!;
    const inspect = await t.app.inject({ method: 'POST', url: '/api/patient/password-reset/inspect', payload: { token } });
    expect(inspect.statusCode).toBe(200);
    await t.app.inject({ method: 'POST', url: '/api/patient/password-reset', payload: { token, password: 'nulstillet og lang nok' } });
    expect((await one.get('/api/patient/me')).statusCode).toBe(401);
    expect((await two.get('/api/patient/me')).statusCode).toBe(401);
    expect((await t.mailTo(email)).subject).toContain('er skiftet');
  });

  it('requires the session’s CSRF token for changes and ends the session at logout', async () => {
    const { patient, email } = await activatedPatient(t);
    const client = await patientLogin(t, patient.cpr, email);
    expect((await client.request('PUT', '/api/patient/me/phone', { phone: '12345678' }, { 'x-csrf-token': 'nope' })).statusCode).toBe(403);
    expect((await client.put('/api/patient/me/phone', { phone: '12345678' })).statusCode).toBe(200);
    expect((await client.post('/api/patient/logout')).statusCode).toBe(200);
    expect((await client.get('/api/patient/me')).statusCode).toBe(401);
  });

  it('limits login attempts per IP address', async () => {
    const limited = await startTestApp(backend, { AUTH_RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const tries = [];
      for (let i = 0; i < 4; i++) tries.push((await new PatientClient(limited.app).startLogin(`user${i}@example.test`, 'whatever password')).statusCode);
      expect(tries).toEqual([401, 401, 401, 429]);
    } finally {
      await limited.close();
    }
  });
});
