import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpRegistry, OwnDoctor } from '../gp-registry/gp-registry.ts';
import { RegistryUnavailable } from '../gp-registry/gp-registry.ts';
import type { TestPerson } from '../mitid/test-broker.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { buildClinic, buildPatient } from '../../../test/helpers/factories.ts';
import { MitidBrowser } from '../../../test/helpers/mitid-browser.ts';
import { startTestApp, type TestApp } from '../../../test/helpers/test-app.ts';

/** A registry the test steers per CPR; 'down' throws as an unreachable registry does. */
class ScriptedRegistry implements GpRegistry {
  answers = new Map<string, OwnDoctor | 'down'>();
  ownDoctor(cpr: string): Promise<OwnDoctor> {
    const answer = this.answers.get(cpr) ?? { status: 'unknown' };
    if (answer === 'down') return Promise.reject(new RegistryUnavailable('down'));
    return Promise.resolve(answer);
  }
}

let serial = 0;
function person(overrides: Partial<TestPerson> = {}): TestPerson {
  serial++;
  return {
    cpr: `1503${String(70 + (serial % 25)).padStart(2, '0')}${String(2000 + serial).slice(-4)}`,
    name: `Test Person${serial}`,
    birthDate: `19${String(70 + (serial % 25)).padStart(2, '0')}-03-15`,
    loa: 'Substantial',
    ...overrides,
  };
}

describe.each(backends)('self-registration with MitID on %s', (backend) => {
  let t: TestApp;
  const registry = new ScriptedRegistry();
  let automatic: { id: string; slug: string; ydernummer: string };
  let manual: { id: string; slug: string };
  let specialistAuto: { id: string; slug: string };
  let closed: { id: string; slug: string };

  const clinic = async (settings: {
    specialty?: 'almen_praksis' | 'speciallaege';
    uses_mitid: boolean;
    self_registration: 'none' | 'manual' | 'automatic';
    auto_approval_allowed?: boolean;
  }) => {
    const c = await buildClinic(t.ctx.db, { specialty: settings.specialty });
    const row = await t.ctx.db
      .updateTable('clinics')
      .set({ uses_mitid: settings.uses_mitid, self_registration: settings.self_registration, auto_approval_allowed: settings.auto_approval_allowed ?? false })
      .where('id', '=', c.id)
      .returning(['id', 'slug', 'ydernummer'])
      .executeTakeFirstOrThrow();
    return { id: row.id, slug: row.slug, ydernummer: row.ydernummer ?? '' };
  };

  /** MitID, then e-mail + code, then submit. Returns the submit response and the browser. */
  const register = async (slug: string, who: TestPerson, browser = new MitidBrowser(t.app)) => {
    const landed = await browser.login({ purpose: 'register', clinic: slug }, who);
    expect(landed).toBe(`/portal/register/${slug}`);
    const email = `${who.cpr}@example.test`;
    expect((await browser.app_('POST', `/api/registration/${slug}/contact`, { email, phone: '12345678' })).statusCode).toBe(200);
    const code = /er: (\d{6})/.exec((await t.mailTo(email)).text)![1]!;
    const submit = await browser.app_('POST', `/api/registration/${slug}/submit`, { code });
    return { submit, browser, email };
  };
  const requestsFor = (clinicId: string, cpr: string) =>
    t.ctx.db.selectFrom('login_requests').selectAll().where('clinic_id', '=', clinicId).where('cpr', '=', cpr).execute();

  beforeAll(async () => {
    t = await startTestApp(backend, {}, undefined, { mitid: true, gpRegistry: registry });
    automatic = await clinic({ uses_mitid: true, self_registration: 'automatic', auto_approval_allowed: true });
    manual = await clinic({ uses_mitid: true, self_registration: 'manual' });
    specialistAuto = await clinic({ specialty: 'speciallaege', uses_mitid: true, self_registration: 'automatic', auto_approval_allowed: true });
    closed = await clinic({ uses_mitid: false, self_registration: 'manual' });
  });
  afterAll(() => t.close());

  it('approves at once at an automatic general practice that is the own doctor, creating the patient from MitID', async () => {
    const who = person({ name: 'Karla Marie Hansen' });
    registry.answers.set(who.cpr, { status: 'found', ydernummer: automatic.ydernummer });
    const { submit, browser } = await register(automatic.slug, who);
    expect(submit.json()).toEqual({ outcome: 'approved' });
    const me = await browser.app_('GET', '/api/patient/me');
    expect(me.json().clinics).toEqual([expect.objectContaining({ id: automatic.id, rights: ['econsultation', 'booking', 'renewal'] })]);
    const patient = await t.ctx.db
      .selectFrom('patients')
      .selectAll()
      .where('clinic_id', '=', automatic.id)
      .where('cpr', '=', who.cpr)
      .executeTakeFirstOrThrow();
    expect(patient).toMatchObject({ given_name: 'Karla Marie', family_name: 'Hansen', phone: '12345678' });
    const [request] = await requestsFor(automatic.id, who.cpr);
    expect(request).toMatchObject({ status: 'approved', reason: 'auto_approved', identity_verified: 'mitid', patient_id: patient.id });
    const account = await t.ctx.db.selectFrom('patient_accounts').select(['mitid_uuid', 'activated_at']).where('cpr', '=', who.cpr).executeTakeFirstOrThrow();
    expect(account.mitid_uuid).toMatch(/^[0-9a-f-]{36}$/);
    const audit = await t.ctx.db
      .selectFrom('audit_events')
      .select('action')
      .where('clinic_id', '=', automatic.id)
      .where('patient_id', '=', patient.id)
      .execute();
    expect(audit.map((a) => a.action)).toContain('registration.auto_approved');
  });

  it.each([
    ['another doctor', { status: 'found', ydernummer: '999999' } satisfies OwnDoctor, 'not_own_doctor', 'other_doctor'],
    ['no doctor chosen', { status: 'none' } satisfies OwnDoctor, 'not_own_doctor', 'no_doctor'],
    ['an unknown CPR', { status: 'unknown' } satisfies OwnDoctor, 'not_own_doctor', 'unknown_cpr'],
    ['the registry down', 'down' as const, 'registry_unavailable', null],
  ])('queues instead of approving when the registry answers %s', async (_label, answer, reason, registryAnswer) => {
    const who = person();
    registry.answers.set(who.cpr, answer);
    const { submit } = await register(automatic.slug, who);
    expect(submit.statusCode).toBe(200);
    expect(submit.json()).toEqual({ outcome: 'queued', reason, alreadyOpen: false });
    const [request] = await requestsFor(automatic.id, who.cpr);
    expect(request).toMatchObject({ status: 'open', reason, registry_answer: registryAnswer });
    expect(await t.ctx.db.selectFrom('patient_accounts').select('id').where('cpr', '=', who.cpr).execute()).toHaveLength(0);
  });

  it('approves at an automatic specialist clinic without asking the GP registry', async () => {
    const who = person();
    registry.answers.set(who.cpr, 'down');
    const { submit } = await register(specialistAuto.slug, who);
    expect(submit.json().outcome).toBe('approved');
  });

  it('queues at a manual clinic, and a second registration shows the open request', async () => {
    const who = person();
    const first = await register(manual.slug, who);
    expect(first.submit.json()).toEqual({ outcome: 'queued', reason: 'manual_clinic', alreadyOpen: false });
    const second = await register(manual.slug, who);
    expect(second.submit.json()).toEqual({ outcome: 'queued', reason: 'manual_clinic', alreadyOpen: true });
    expect(await requestsFor(manual.id, who.cpr)).toHaveLength(1);
  });

  it('never queues automatically at a clinic whose automatic setting lacks the support switch', async () => {
    const notAllowed = await clinic({ uses_mitid: true, self_registration: 'automatic', auto_approval_allowed: false });
    const who = person();
    registry.answers.set(who.cpr, { status: 'found', ydernummer: notAllowed.ydernummer });
    expect((await register(notAllowed.slug, who)).submit.json()).toMatchObject({ outcome: 'queued', reason: 'manual_clinic' });
  });

  it('has no MitID registration at a clinic without MitID or with self-registration off', async () => {
    const off = await clinic({ uses_mitid: true, self_registration: 'none' });
    for (const c of [closed, off]) {
      const info = await t.app.inject({ url: `/api/registration/${c.slug}` });
      expect(info.json().clinic.acceptsMitid).toBe(false);
      const browser = new MitidBrowser(t.app);
      expect(await browser.login({ purpose: 'register', clinic: c.slug }, person())).toBe(`/portal/register/${c.slug}?mitid=closed`);
    }
  });

  it('gives a patient who already has a login a membership at the new clinic, not a second login', async () => {
    const who = person();
    registry.answers.set(who.cpr, { status: 'found', ydernummer: automatic.ydernummer });
    await register(specialistAuto.slug, who);
    const { submit, browser } = await register(automatic.slug, who);
    expect(submit.json().outcome).toBe('approved');
    expect(await t.ctx.db.selectFrom('patient_accounts').select('id').where('cpr', '=', who.cpr).execute()).toHaveLength(1);
    expect((await browser.app_('GET', '/api/patient/me')).json().clinics).toHaveLength(2);
    const again = await register(automatic.slug, who);
    expect(again.submit.json()).toEqual({ outcome: 'already_member' });
  });

  it('logs an existing patient in with MitID and ties the MitID uuid to the login', async () => {
    const known = await buildClinic(t.ctx.db);
    const who = person();
    const patient = await buildPatient(t.ctx.db, known.id, { cpr: who.cpr });
    const account = await t.ctx.db
      .insertInto('patient_accounts')
      .values({ cpr: who.cpr, email: `${who.cpr}@x.test`, created_at: new Date(), activated_at: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.ctx.db
      .insertInto('portal_memberships')
      .values({ account_id: account.id, clinic_id: known.id, patient_id: patient.id, rights: ['booking'], created_at: new Date() })
      .execute();
    const browser = new MitidBrowser(t.app);
    expect(await browser.login({ purpose: 'login' }, who)).toBe('/portal');
    expect((await browser.app_('GET', '/api/patient/me')).json().clinics[0].rights).toEqual(['booking']);
    const tied = await t.ctx.db.selectFrom('patient_accounts').select('mitid_uuid').where('id', '=', account.id).executeTakeFirstOrThrow();
    expect(tied.mitid_uuid).not.toBeNull();
    expect(await new MitidBrowser(t.app).login({ purpose: 'login' }, person())).toBe('/portal/login?mitid=no_login');
  });

  it('refuses self-registration below 15 years and says a custody holder must contact the clinic', async () => {
    const child = person({ birthDate: '2015-03-03', cpr: '0303154012' });
    const browser = new MitidBrowser(t.app);
    await browser.login({ purpose: 'register', clinic: automatic.slug }, child);
    const info = await browser.app_('GET', `/api/registration/${automatic.slug}`);
    expect(info.json().identity).toMatchObject({ under15: true });
    const contact = await browser.app_('POST', `/api/registration/${automatic.slug}/contact`, { email: 'child@example.test', phone: null });
    expect(contact.statusCode).toBe(403);
    expect(contact.json().error.code).toBe('under_15');
    expect(contact.json().error.message.da).toContain('forældremyndighed');
  });

  it('rejects a tampered state, a tampered nonce and an assurance level of Low', async () => {
    const who = person();
    const stateTampered = await new MitidBrowser(t.app).login({ purpose: 'register', clinic: manual.slug }, who, {
      tamper: (url) => {
        url.searchParams.set('state', 'forged-state-value');
        return url;
      },
    });
    expect(stateTampered).toBe('/portal/login?mitid=mitid_state_invalid');

    const nonceBrowser = new MitidBrowser(t.app);
    const nonceTampered = await nonceBrowser.login({ purpose: 'register', clinic: manual.slug }, who, {
      beforeCallback: async () => {
        await sql`update mitid_flows set nonce = 'forged-nonce' where used_at is null`.execute(t.ctx.db);
      },
    });
    expect(nonceTampered).toBe(`/portal/register/${manual.slug}?mitid=mitid_failed`);
    expect((await nonceBrowser.app_('GET', `/api/registration/${manual.slug}`)).json().identity).toBeNull();

    const low = await new MitidBrowser(t.app).login({ purpose: 'register', clinic: manual.slug }, person({ loa: 'Low' }));
    expect(low).toBe(`/portal/register/${manual.slug}?mitid=mitid_loa_too_low`);
  });

  it('checks the e-mail code and allows 5 tries', async () => {
    const who = person();
    const browser = new MitidBrowser(t.app);
    await browser.login({ purpose: 'register', clinic: manual.slug }, who);
    await browser.app_('POST', `/api/registration/${manual.slug}/contact`, { email: 'tries@example.test', phone: null });
    const code = /er: (\d{6})/.exec((await t.mailTo('tries@example.test')).text)![1]!;
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++)
      expect((await browser.app_('POST', `/api/registration/${manual.slug}/submit`, { code: wrong })).json().error.code).toBe('code_wrong');
    expect((await browser.app_('POST', `/api/registration/${manual.slug}/submit`, { code })).statusCode).toBe(400);
    expect(await requestsFor(manual.id, who.cpr)).toHaveLength(0);
  });

  it.each([
    ['automatic', () => automatic, 'portal_memberships'],
    ['manual', () => manual, 'login_requests'],
  ] as const)('gives one %s result when the same registration is submitted twice at once', async (_label, pick, table) => {
    const target = pick();
    const who = person();
    registry.answers.set(who.cpr, { status: 'found', ydernummer: automatic.ydernummer });
    const browser = new MitidBrowser(t.app);
    await browser.login({ purpose: 'register', clinic: target.slug }, who);
    const email = `${who.cpr}@example.test`;
    await browser.app_('POST', `/api/registration/${target.slug}/contact`, { email, phone: null });
    const code = /er: (\d{6})/.exec((await t.mailTo(email)).text)![1]!;
    const results = await Promise.all([1, 2, 3].map(() => browser.app_('POST', `/api/registration/${target.slug}/submit`, { code })));
    expect(results.every((r) => r.statusCode === 200)).toBe(true);
    if (table === 'portal_memberships') {
      const rows = await t.ctx.db
        .selectFrom('portal_memberships as m')
        .innerJoin('patient_accounts as a', 'a.id', 'm.account_id')
        .select('m.id')
        .where('a.cpr', '=', who.cpr)
        .execute();
      expect(rows).toHaveLength(1);
      expect(results.map((r) => r.json().outcome).sort()).toEqual(['already_member', 'already_member', 'approved']);
    } else {
      expect(await requestsFor(target.id, who.cpr)).toHaveLength(1);
      expect(results.map((r) => r.json().alreadyOpen).sort()).toEqual([false, true, true]);
    }
  });
});
