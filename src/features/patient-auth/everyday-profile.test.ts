import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { minutes } from '../../clock.ts';
import type { GpRegistry, OwnDoctor } from '../gp-registry/gp-registry.ts';
import type { TestPerson } from '../mitid/test-broker.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { buildClinic } from '../../../test/helpers/factories.ts';
import { MitidBrowser } from '../../../test/helpers/mitid-browser.ts';
import { activatedPatient, patientLogin } from '../../../test/helpers/portal.ts';
import { startTestApp, type TestApp } from '../../../test/helpers/test-app.ts';

class ScriptedRegistry implements GpRegistry {
  answers = new Map<string, OwnDoctor>();
  ownDoctor(cpr: string): Promise<OwnDoctor> {
    return Promise.resolve(this.answers.get(cpr) ?? { status: 'unknown' });
  }
}

let serial = 0;
const person = (): TestPerson => {
  serial++;
  return {
    cpr: `2104${String(60 + serial).slice(-2)}${String(3000 + serial).slice(-4)}`,
    name: `Mit Idsen${serial}`,
    birthDate: `19${60 + serial}-04-21`,
    loa: 'Substantial',
  };
};

describe.each(backends)('everyday profile and login defects on %s', (backend) => {
  let t: TestApp;
  const registry = new ScriptedRegistry();
  let automatic: { id: string; slug: string; ydernummer: string };
  let manual: { id: string; slug: string; name: string };

  const clinic = async (mode: 'automatic' | 'manual') => {
    const c = await buildClinic(t.ctx.db);
    return t.ctx.db
      .updateTable('clinics')
      .set({ uses_mitid: true, self_registration: mode, auto_approval_allowed: mode === 'automatic' })
      .where('id', '=', c.id)
      .returning(['id', 'slug', 'name', 'ydernummer'])
      .executeTakeFirstOrThrow();
  };

  /** MitID registration with e-mail, phone and code; returns the browser (logged in when approved). */
  const register = async (slug: string, who: TestPerson, phone: string | null = '22 33 44 55') => {
    const browser = new MitidBrowser(t.app);
    await browser.login({ purpose: 'register', clinic: slug }, who);
    const email = `${who.cpr}@example.test`;
    expect((await browser.app_('POST', `/api/registration/${slug}/contact`, { email, phone })).statusCode).toBe(200);
    const code = /er: (\d{6})/.exec((await t.mailTo(email)).text)![1]!;
    const submit = await browser.app_('POST', `/api/registration/${slug}/submit`, { code });
    return { browser, email, submit };
  };
  const csrf = async (browser: MitidBrowser) => ({ 'x-csrf-token': (await browser.app_('GET', '/api/patient/session')).json().csrfToken as string });

  /** A patient approved at once with MitID: a login without a password. */
  const mitidOnlyPatient = async () => {
    const who = person();
    registry.answers.set(who.cpr, { status: 'found', ydernummer: automatic.ydernummer });
    const { browser, email, submit } = await register(automatic.slug, who);
    expect(submit.json()).toEqual({ outcome: 'approved' });
    return { who, browser, email };
  };

  beforeAll(async () => {
    t = await startTestApp(backend, {}, undefined, { mitid: true, gpRegistry: registry });
    const a = await clinic('automatic');
    automatic = { id: a.id, slug: a.slug, ydernummer: a.ydernummer ?? '' };
    manual = await clinic('manual');
  });
  afterAll(() => t.close());

  it('a MitID-only patient deletes their login after a fresh MitID step-up that returns to the profile action', async () => {
    const { who, browser } = await mitidOnlyPatient();
    const me = (await browser.app_('GET', '/api/patient/me')).json();
    expect(me).toMatchObject({ hasPassword: false, stepUp: null });
    const headers = await csrf(browser);

    // Without a step-up (and without a password, which they never chose) it is refused.
    const refused = await browser.app_('DELETE', '/api/patient/me', {}, headers);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('reauthentication_required');

    const back = await browser.login({ purpose: 'stepup', action: 'delete_login' }, who);
    expect(back).toBe('/portal/profile?stepup=delete_login');
    expect((await browser.app_('GET', '/api/patient/me')).json().stepUp).toMatchObject({ action: 'delete_login' });

    const deleted = await browser.app_('DELETE', '/api/patient/me', {}, headers);
    expect(deleted.statusCode).toBe(200);
    const account = await t.ctx.db.selectFrom('patient_accounts').select(['deleted_at']).where('cpr', '=', who.cpr).executeTakeFirstOrThrow();
    expect(account.deleted_at).not.toBeNull();
    expect((await browser.app_('GET', '/api/patient/me')).statusCode).toBe(401);
  });

  it('a step-up is for one action, once, within 5 minutes, and only for the same person', async () => {
    const { who, browser } = await mitidOnlyPatient();
    const headers = await csrf(browser);
    await browser.login({ purpose: 'stepup', action: 'change_email' }, who);
    // Made for changing the e-mail: it does not delete the login.
    expect((await browser.app_('DELETE', '/api/patient/me', {}, headers)).statusCode).toBe(403);
    const changed = await browser.app_('POST', '/api/patient/me/email', { newEmail: `new-${who.cpr}@example.test` }, headers);
    expect(changed.statusCode).toBe(200);
    await t.mailTo(`new-${who.cpr}@example.test`);
    // Used up.
    expect((await browser.app_('POST', '/api/patient/me/email', { newEmail: `again-${who.cpr}@example.test` }, headers)).statusCode).toBe(403);

    await browser.login({ purpose: 'stepup', action: 'delete_login' }, who);
    t.clock.advance(minutes(6));
    expect((await browser.app_('DELETE', '/api/patient/me', {}, headers)).statusCode).toBe(403);

    // Another person's MitID does not confirm this patient.
    // (A browser of its own at the broker, which would otherwise keep the first person's session.)
    const sameAppSession = new MitidBrowser(t.app);
    for (const [k, v] of browser.appCookies) sameAppSession.appCookies.set(k, v);
    expect(await sameAppSession.login({ purpose: 'stepup', action: 'delete_login' }, person())).toBe('/portal/profile?mitid=stepup_other_person');
    expect((await browser.app_('DELETE', '/api/patient/me', {}, headers)).statusCode).toBe(403);
    expect((await browser.app_('GET', '/api/patient/me')).json().stepUp).toBeNull();
  });

  it('a patient with a password still confirms with it, and a wrong one is refused on the field', async () => {
    const { patient, email } = await activatedPatient(t);
    const client = await patientLogin(t, patient.cpr, email);
    expect((await client.get('/api/patient/me')).json().hasPassword).toBe(true);
    const wrong = await client.post('/api/patient/me/email', { newEmail: 'x@example.test', password: 'forkert forkert' });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().error.field).toBe('password');
  });

  it('a queued MitID patient who logs in is told the request waits at the named clinic since when, and why', async () => {
    const who = person();
    registry.answers.set(who.cpr, { status: 'found', ydernummer: '999999' });
    expect((await register(automatic.slug, who)).submit.json()).toMatchObject({ outcome: 'queued' });
    t.clock.advance(minutes(3));
    const manualWho = person();
    expect((await register(manual.slug, manualWho)).submit.json()).toMatchObject({ outcome: 'queued' });

    const browser = new MitidBrowser(t.app);
    expect(await browser.login({ purpose: 'login' }, who)).toBe('/portal/login?mitid=waiting');
    const waiting = (await browser.app_('GET', '/api/mitid/waiting')).json();
    const name = (await t.ctx.db.selectFrom('clinics').select('name').where('id', '=', automatic.id).executeTakeFirstOrThrow()).name;
    expect(waiting.requests).toEqual([{ clinicName: name, since: expect.any(String), reason: 'not_own_doctor' }]);

    const other = new MitidBrowser(t.app);
    await other.login({ purpose: 'login' }, manualWho);
    expect((await other.app_('GET', '/api/mitid/waiting')).json().requests).toEqual([
      { clinicName: manual.name, since: t.clock.now().toISOString(), reason: 'manual_clinic' },
    ]);
    // Another browser learns nothing.
    expect((await new MitidBrowser(t.app).app_('GET', '/api/mitid/waiting')).json().requests).toEqual([]);
    // Nobody waiting: the plain answer.
    expect(await new MitidBrowser(t.app).login({ purpose: 'login' }, person())).toBe('/portal/login?mitid=no_login');
  });

  it('the overview says which functions have history, so never-granted ones without any can be left out', async () => {
    const { patient, email, secretary, portalUrl, clinic: c } = await activatedPatient(t);
    const client = await patientLogin(t, patient.cpr, email);
    const thread = await client.post(`/api/patient/clinics/${c.id}/econsultations`, { subject: 'Hoste', body: 'Jeg hoster.' });
    expect(thread.statusCode).toBe(201);
    expect((await secretary.put(portalUrl, { rights: [], wantsElectronicReply: false })).statusCode).toBe(200);
    const me = (await client.get('/api/patient/me')).json();
    expect(me.clinics).toEqual([expect.objectContaining({ id: c.id, rights: [], history: ['econsultation'] })]);
  });

  it('the phone given at registration reaches the profile, also for a person who already had a login', async () => {
    const { browser } = await mitidOnlyPatient();
    expect((await browser.app_('GET', '/api/patient/me')).json().phone).toBe('22 33 44 55');

    const { patient, email } = await activatedPatient(t);
    const who = { cpr: patient.cpr, name: 'Eksisterende Login', birthDate: '1980-01-01', loa: 'Substantial' as const };
    registry.answers.set(who.cpr, { status: 'found', ydernummer: automatic.ydernummer });
    const second = new MitidBrowser(t.app);
    await second.login({ purpose: 'register', clinic: automatic.slug }, who);
    expect((await second.app_('POST', `/api/registration/${automatic.slug}/contact`, { email, phone: '87654321' })).statusCode).toBe(200);
    const code = /er: (\d{6})/.exec((await t.mailTo(email)).text)![1]!;
    expect((await second.app_('POST', `/api/registration/${automatic.slug}/submit`, { code })).json()).toEqual({ outcome: 'approved' });
    expect((await second.app_('GET', '/api/patient/me')).json().phone).toBe('87654321');
  });
});
