import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { minutes } from '../../clock.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { activatedPatient, mailedCode, PATIENT_PASSWORD } from '../../../test/helpers/portal.ts';
import { PatientClient, startTestApp, type TestApp } from '../../../test/helpers/test-app.ts';
import { MAX_CONSECUTIVE_FAILURES } from './patient-login.ts';

const DEVICE = 'pp_device';

describe.each(backends)('device cookies for patient login on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(() => t.close());

  const tryLogin = (identifier: string, password: string, device?: string) =>
    t.app.inject({ method: 'POST', url: '/api/patient/login', payload: { identifier, password }, headers: device ? { cookie: `${DEVICE}=${device}` } : {} });

  /** A full login (password, mailed code); returns the device cookie the browser was given. */
  async function loginForDevice(identifier: string, email: string, device?: string): Promise<string> {
    const step1 = await tryLogin(identifier, PATIENT_PASSWORD, device);
    expect(step1.statusCode).toBe(200);
    const code = mailedCode((await t.mailTo(email)).text)!;
    const step2 = await t.app.inject({
      method: 'POST',
      url: '/api/patient/login/code',
      payload: { challengeId: step1.json().challengeId, code },
      headers: device ? { cookie: `${DEVICE}=${device}` } : {},
    });
    expect(step2.statusCode).toBe(200);
    const cookie = step2.cookies.find((c) => c.name === DEVICE);
    expect(cookie?.httpOnly).toBe(true);
    return cookie!.value;
  }

  it('lets the victim log in from their trusted device while an attacker loops wrong passwords, up to the stop and beyond', async () => {
    const { patient, email } = await activatedPatient(t);
    const device = await loginForDevice(patient.cpr, email);

    // A burst of guesses at the same moment as the victim's login.
    const [victim, ...attacker] = await Promise.all([
      tryLogin(patient.cpr, PATIENT_PASSWORD, device),
      ...Array.from({ length: 20 }, (_, i) => tryLogin(patient.cpr, `wrong guess ${String(i)}`)),
    ]);
    expect(victim.statusCode).toBe(200);
    expect(attacker.map((r) => r.statusCode)).toContain(429);
    expect((await tryLogin(patient.cpr, PATIENT_PASSWORD)).statusCode).toBe(429);
    await t.mailTo(email);

    // The attacker keeps going, waiting out the slow-down each time, until untrusted logins stop.
    for (let i = 0; i < MAX_CONSECUTIVE_FAILURES + 10; i++) {
      t.clock.advance(minutes(1));
      expect((await tryLogin(patient.cpr, `wrong guess ${String(i)}`)).statusCode).toBe(401);
    }
    const victimAgain = await tryLogin(patient.cpr, PATIENT_PASSWORD, device);
    expect(victimAgain.statusCode).toBe(200);
    await t.mailTo(email);
  });

  it('tells the owner of a stopped login: a mail, and a clear answer to the right password from an untrusted browser', async () => {
    const { patient, email } = await activatedPatient(t);
    for (let i = 0; i < MAX_CONSECUTIVE_FAILURES; i++) {
      t.clock.advance(minutes(1));
      expect((await tryLogin(email, `wrong guess ${String(i)}`)).statusCode).toBe(401);
    }
    const mail = await t.mailTo(email);
    expect(mail.subject).toContain('er stoppet');
    expect(mail.text).toContain('/portal/forgot');
    const mailed = t.mailCount(email);

    t.clock.advance(minutes(1));
    const right = await tryLogin(patient.cpr, PATIENT_PASSWORD);
    expect(right.statusCode).toBe(403);
    expect(right.json().error.code).toBe('login_stopped');
    t.clock.advance(minutes(1));
    const wrong = await tryLogin(patient.cpr, 'still a wrong guess');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('invalid_credentials');
    await t.mailTo(email);
    expect(t.mailCount(email)).toBe(mailed); // one notice only, and no code for a stopped login
  });

  it('gives an attacker cycling forged, altered or their own device cookies nothing: every try counts against the identifier', async () => {
    const victim = await activatedPatient(t);
    const attacker = await activatedPatient(t);
    const attackersOwn = await loginForDevice(attacker.patient.cpr, attacker.email);
    const victimsDevice = await loginForDevice(victim.patient.cpr, victim.email);
    const [accountId, nonce, issued, signature] = victimsDevice.split('.');

    for (let i = 0; i < 5; i++) expect((await tryLogin(victim.patient.cpr, `wrong guess ${String(i)}`)).statusCode).toBe(401);
    const forged = [
      attackersOwn,
      `${accountId!}.AAAAAAAAAAAAAAAAAAAAAA.${issued!}.${signature!}`,
      `${accountId!}.${nonce!}.${String(Number(issued) + 1)}.${signature!}`,
      `${accountId!}.${nonce!}.${issued!}.${'A'.repeat(signature!.length)}`,
      'garbage',
    ];
    for (const cookie of forged) {
      const response = await tryLogin(victim.patient.cpr, 'wrong guess again', cookie);
      expect(response.statusCode).toBe(429);
      expect((await tryLogin(victim.patient.cpr, PATIENT_PASSWORD, cookie)).statusCode).toBe(429);
    }
    // The victim's own device still gets in at once.
    expect((await tryLogin(victim.patient.cpr, PATIENT_PASSWORD, victimsDevice)).statusCode).toBe(200);
  });

  it('slows a trusted device by its own failures only, and a new login gives it a new key', async () => {
    const { patient, email } = await activatedPatient(t);
    const device = await loginForDevice(email, email);
    for (let i = 0; i < 5; i++) expect((await tryLogin(email, `wrong guess ${String(i)}`, device)).statusCode).toBe(401);
    expect((await tryLogin(email, PATIENT_PASSWORD, device)).statusCode).toBe(429);
    // Untrusted clients were not slowed by the device's failures.
    expect((await new PatientClient(t.app).startLogin(patient.cpr, PATIENT_PASSWORD)).statusCode).toBe(200);
    await t.mailTo(email);
    t.clock.advance(minutes(1));
    const renewed = await loginForDevice(email, email, device);
    expect(renewed).not.toBe(device);
  });
});
