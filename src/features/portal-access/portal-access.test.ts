import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hours, minutes } from '../../clock.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { buildPatient, buildStaff } from '../../../test/helpers/factories.ts';
import { activate, activatedPatient, clinicWithSecretary, linkToken, opret, patientLogin, uniqueEmail } from '../../../test/helpers/portal.ts';
import { StaffClient, startTestApp, type TestApp } from '../../../test/helpers/test-app.ts';

describe.each(backends)('the Patientportal form on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(() => t.close());

  it('Opret mails an activation link and shows "Afventer aktivering" with when it was sent', async () => {
    const { secretary, portalUrl, clinic, patient } = await clinicWithSecretary(t);
    const before = await secretary.get(portalUrl);
    expect(before.json()).toMatchObject({ status: 'none', rights: ['econsultation', 'booking', 'renewal'] });
    const email = uniqueEmail();
    const { response, token } = await opret(t, secretary, portalUrl, email, ['econsultation', 'renewal']);
    expect(response.json()).toMatchObject({
      status: 'pending_activation',
      email,
      rights: ['econsultation', 'renewal'],
      wantsElectronicReply: true,
      activationSentAt: t.clock.now().toISOString(),
    });
    expect(response.json().history[0]).toMatchObject({ action: 'portal.created', actorType: 'staff', actorName: 'Test Medarbejder' });
    expect(token).toBeDefined();
    const mail = await t.mailTo(email);
    expect(mail.subject).toContain(clinic.name);
    expect(mail.text).not.toContain(patient.cpr);
    const audit = await t.ctx.db.selectFrom('audit_events').selectAll().where('action', '=', 'portal.created').where('patient_id', '=', patient.id).execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.clinic_id).toBe(clinic.id);
  });

  it('lets only functions the clinic offers be ticked, and refuses a bad e-mail by field', async () => {
    const { secretary, portalUrl, clinic } = await clinicWithSecretary(t);
    await t.ctx.db
      .updateTable('clinics')
      .set({ offered_functions: ['econsultation'] })
      .where('id', '=', clinic.id)
      .execute();
    const notOffered = await secretary.post(portalUrl, { email: uniqueEmail(), rights: ['booking'], wantsElectronicReply: false });
    expect(notOffered.statusCode).toBe(400);
    expect(notOffered.json().error.field).toBe('rights');
    const badEmail = await secretary.post(portalUrl, { email: 'not-an-email', rights: [], wantsElectronicReply: false });
    expect(badEmail.statusCode).toBe(400);
    expect(badEmail.json().error.field).toBe('email');
    expect((await secretary.get(portalUrl)).json().status).toBe('none');
  });

  it('activates from the link page: opening it does not use it, submitting it does; then the patient logs in', async () => {
    const { secretary, portalUrl, clinic, patient } = await clinicWithSecretary(t);
    const email = uniqueEmail();
    const { token } = await opret(t, secretary, portalUrl, email, ['econsultation', 'booking']);
    for (let i = 0; i < 2; i++) {
      const inspect = await t.app.inject({ method: 'POST', url: '/api/patient/activation/inspect', payload: { token } });
      expect(inspect.json()).toEqual({ clinicName: clinic.name });
    }
    expect((await activate(t, token!)).statusCode).toBe(200);
    expect((await activate(t, token!)).statusCode).toBe(410);
    expect((await secretary.get(portalUrl)).json()).toMatchObject({ status: 'active', activationSentAt: null });
    const client = await patientLogin(t, `${patient.cpr.slice(0, 6)}-${patient.cpr.slice(6)}`, email);
    const me = await client.get('/api/patient/me');
    expect(me.json().clinics).toEqual([{ id: clinic.id, name: clinic.name, rights: ['econsultation', 'booking'], wantsElectronicReply: true, history: [] }]);
    const history = (await secretary.get(portalUrl)).json().history.map((h: { action: string }) => h.action);
    expect(history).toEqual(['portal.activated', 'portal.created']);
  });

  it('Gensend voids every older activation link', async () => {
    const { secretary, portalUrl } = await clinicWithSecretary(t);
    const email = uniqueEmail();
    const { token: first } = await opret(t, secretary, portalUrl, email);
    t.clock.advance(minutes(5));
    const resent = await secretary.post(`${portalUrl}/resend-activation`);
    expect(resent.json().activationSentAt).toBe(t.clock.now().toISOString());
    const second = linkToken((await t.mailTo(email)).text, '/portal/activate');
    expect(second).not.toBe(first);
    const old = await activate(t, first!);
    expect(old.statusCode).toBe(410);
    expect(old.json().error.code).toBe('link_invalid');
    expect((await activate(t, second!)).statusCode).toBe(200);
    expect((await secretary.post(`${portalUrl}/resend-activation`)).json().error.code).toBe('already_activated');
  });

  it('lets an activation link live 7 days', async () => {
    const { secretary, portalUrl } = await clinicWithSecretary(t);
    const { token } = await opret(t, secretary, portalUrl, uniqueEmail());
    t.clock.advance(hours(24 * 7) + minutes(1));
    expect((await t.app.inject({ method: 'POST', url: '/api/patient/activation/inspect', payload: { token } })).statusCode).toBe(410);
    expect((await activate(t, token!)).statusCode).toBe(410);
  });

  it('Ny kode mails a 1-hour link that sets a new password and ends open sessions', async () => {
    const { secretary, portalUrl, patient, email } = await activatedPatient(t);
    const session = await patientLogin(t, patient.cpr, email);
    expect((await secretary.post(`${portalUrl}/new-password`)).statusCode).toBe(200);
    const token = linkToken((await t.mailTo(email)).text, '/portal/reset')!;
    const reset = (password: string) => t.app.inject({ method: 'POST', url: '/api/patient/password-reset', payload: { token, password } });
    expect((await reset('en helt ny og lang kode')).statusCode).toBe(200);
    expect((await session.get('/api/patient/me')).statusCode).toBe(401);
    expect((await t.mailTo(email)).subject).toContain('Patientportal er skiftet');
    await patientLogin(t, patient.cpr, email, 'en helt ny og lang kode');

    await secretary.post(`${portalUrl}/new-password`);
    const late = linkToken((await t.mailTo(email)).text, '/portal/reset')!;
    t.clock.advance(minutes(61));
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/patient/password-reset', payload: { token: late, password: 'endnu en lang kode her' } })).statusCode,
    ).toBe(410);
  });

  it('applies a changed right to the patient’s very next request in an open session', async () => {
    const { secretary, portalUrl, patient, email } = await activatedPatient(t);
    const session = await patientLogin(t, patient.cpr, email);
    expect((await session.get('/api/patient/me')).json().clinics[0].rights).toEqual(['econsultation', 'booking', 'renewal']);
    const changed = await secretary.put(portalUrl, { rights: ['renewal'], wantsElectronicReply: false });
    expect(changed.json()).toMatchObject({ rights: ['renewal'], wantsElectronicReply: false });
    expect((await session.get('/api/patient/me')).json().clinics[0]).toMatchObject({ rights: ['renewal'], wantsElectronicReply: false });
    await secretary.put(portalUrl, { rights: [], wantsElectronicReply: false });
    const none = (await session.get('/api/patient/me')).json();
    expect(none.clinics).toHaveLength(1); // the clinic stays, with profile and history only
    expect(none.clinics[0].rights).toEqual([]);
    const audit = await t.ctx.db
      .selectFrom('audit_events')
      .select('details')
      .where('action', '=', 'portal.rights_changed')
      .where('patient_id', '=', patient.id)
      .execute();
    expect(audit[0]!.details).toMatchObject({ before: { rights: ['econsultation', 'booking', 'renewal'] }, after: { rights: ['renewal'] } });
  });

  it('Slet ends this clinic only: the login, other clinics and the record stay, and the old rights are remembered', async () => {
    const a = await activatedPatient(t);
    const b = await clinicWithSecretary(t, { cpr: a.patient.cpr });
    await b.secretary.post(b.portalUrl, { email: a.email, rights: ['booking'], wantsElectronicReply: false });
    await a.secretary.put(a.portalUrl, { rights: ['econsultation'], wantsElectronicReply: true });
    const deleted = await a.secretary.delete(a.portalUrl);
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json()).toMatchObject({ status: 'none', rights: ['econsultation'] });
    expect(deleted.json().previouslyDeletedAt).not.toBeNull();
    expect(deleted.json().history[0].action).toBe('portal.deleted');
    const session = await patientLogin(t, a.email, a.email);
    expect((await session.get('/api/patient/me')).json().clinics.map((c: { id: string }) => c.id)).toEqual([b.clinic.id]);
    expect(await t.ctx.db.selectFrom('patients').select('id').where('id', '=', a.patient.id).execute()).toHaveLength(1);
    // Asking again: Opret links the existing login, no new activation.
    const again = await a.secretary.post(a.portalUrl, { email: a.email, rights: ['econsultation'], wantsElectronicReply: true });
    expect(again.json().status).toBe('active');
  });

  it('links an existing login when another clinic presses Opret, and mails a notice instead of an activation', async () => {
    const a = await activatedPatient(t);
    const b = await clinicWithSecretary(t, { cpr: a.patient.cpr, name: 'Anden Klinik' });
    const linked = await b.secretary.post(b.portalUrl, { email: a.email, rights: ['booking'], wantsElectronicReply: false });
    expect(linked.json()).toMatchObject({ status: 'active', rights: ['booking'] });
    expect(linked.json().history[0].action).toBe('portal.linked');
    const notice = await t.mailTo(a.email);
    expect(notice.subject).toContain('Anden Klinik er tilføjet');
    expect(notice.text).not.toContain('/portal/activate');
    const accounts = await t.ctx.db.selectFrom('patient_accounts').select('id').where('cpr', '=', a.patient.cpr).execute();
    expect(accounts).toHaveLength(1);
  });

  it('refuses an e-mail that belongs to another person’s login, saying what to do without saying whose it is', async () => {
    const a = await activatedPatient(t);
    const other = await clinicWithSecretary(t);
    const refused = await other.secretary.post(other.portalUrl, { email: a.email.toUpperCase(), rights: [], wantsElectronicReply: false });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({ code: 'email_in_use', field: 'email' });
    expect(refused.json().error.message.da).toContain('som kun patienten selv bruger');
    expect(JSON.stringify(refused.json())).not.toMatch(/anden persons|another person|klinik|clinic/i);
  });

  it('creates exactly one membership when Opret is double-clicked', async () => {
    const { secretary, portalUrl, patient } = await clinicWithSecretary(t);
    const email = uniqueEmail();
    const body = { email, rights: ['econsultation'], wantsElectronicReply: false };
    const results = await Promise.all([secretary.post(portalUrl, body), secretary.post(portalUrl, body), secretary.post(portalUrl, body)]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409, 409]);
    expect(await t.ctx.db.selectFrom('portal_memberships').select('id').where('patient_id', '=', patient.id).execute()).toHaveLength(1);
    expect(await t.ctx.db.selectFrom('outbox_mails').select('id').where('to_address', '=', email).execute()).toHaveLength(1);
  });

  it('gives one login when two clinics press Opret for the same person at the same moment, never a 500', async () => {
    const a = await clinicWithSecretary(t, { cpr: '1212851234' });
    const b = await clinicWithSecretary(t, { cpr: '1212851234' });
    const email = uniqueEmail();
    const results = await Promise.all([
      a.secretary.post(a.portalUrl, { email, rights: ['booking'], wantsElectronicReply: false }),
      b.secretary.post(b.portalUrl, { email, rights: ['booking'], wantsElectronicReply: false }),
    ]);
    for (const r of results) expect([201, 409]).toContain(r.statusCode);
    expect(results.some((r) => r.statusCode === 201)).toBe(true);
    expect(await t.ctx.db.selectFrom('patient_accounts').select('id').where('cpr', '=', '1212851234').execute()).toHaveLength(1);
  });

  it('uses an activation link once when it is submitted twice at the same moment', async () => {
    const { secretary, portalUrl } = await clinicWithSecretary(t);
    const { token } = await opret(t, secretary, portalUrl, uniqueEmail());
    const results = await Promise.all([activate(t, token!, 'første lange kodeord'), activate(t, token!, 'andet lange kodeord')]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 410]);
  });

  it('keeps staff of clinic B from seeing or changing clinic A’s memberships, also by guessing ids', async () => {
    const a = await activatedPatient(t);
    const b = await clinicWithSecretary(t);
    const aUrlFromB = `/api/clinics/${a.clinic.id}/patients/${a.patient.id}/portal`;
    expect((await b.secretary.get(aUrlFromB)).statusCode).toBe(403);
    expect((await b.secretary.put(aUrlFromB, { rights: [], wantsElectronicReply: false })).statusCode).toBe(403);
    expect((await b.secretary.delete(aUrlFromB)).statusCode).toBe(403);
    expect((await b.secretary.post(`${aUrlFromB}/new-password`)).statusCode).toBe(403);
    const guessed = `/api/clinics/${b.clinic.id}/patients/${a.patient.id}/portal`;
    expect((await b.secretary.get(guessed)).statusCode).toBe(404);
    expect((await b.secretary.post(guessed, { email: 'x@y.dk', rights: [], wantsElectronicReply: false })).statusCode).toBe(404);
    expect((await b.secretary.delete(guessed)).statusCode).toBe(404);
    expect((await a.secretary.get(a.portalUrl)).json()).toMatchObject({ status: 'active', rights: ['econsultation', 'booking', 'renewal'] });
  });

  it('writes nothing at all when the mail cannot be queued mid-request', async () => {
    const { secretary, portalUrl, patient } = await clinicWithSecretary(t);
    const email = uniqueEmail();
    await sql
      .raw(
        `create function fail_mail() returns trigger language plpgsql as $$ begin
      if new.to_address = '${email}' then raise exception 'outbox down'; end if; return new; end $$`,
      )
      .execute(t.ctx.db);
    await sql`create trigger fail_mail before insert on outbox_mails for each row execute function fail_mail()`.execute(t.ctx.db);
    try {
      const response = await secretary.post(portalUrl, { email, rights: ['econsultation'], wantsElectronicReply: false });
      expect(response.statusCode).toBe(500);
      expect(response.json().error.code).toBe('internal_error');
      expect(await t.ctx.db.selectFrom('portal_memberships').select('id').where('patient_id', '=', patient.id).execute()).toHaveLength(0);
      expect(await t.ctx.db.selectFrom('patient_accounts').select('id').where('cpr', '=', patient.cpr).execute()).toHaveLength(0);
      expect(
        await t.ctx.db.selectFrom('audit_events').select('id').where('patient_id', '=', patient.id).where('action', 'like', 'portal.%').execute(),
      ).toHaveLength(0);
      expect((await t.ctx.db.selectFrom('patients').select('email').where('id', '=', patient.id).executeTakeFirstOrThrow()).email).not.toBe(email);
    } finally {
      await sql`drop trigger fail_mail on outbox_mails`.execute(t.ctx.db);
      await sql`drop function fail_mail()`.execute(t.ctx.db);
    }
  });

  it('lets a clinic admin use the form as well as a secretary', async () => {
    const { clinic, patient } = await clinicWithSecretary(t);
    const admin = await buildStaff(t.ctx.db, { clinics: [{ id: clinic.id, role: 'admin' }] });
    const client = new StaffClient(t.app);
    await client.login(admin.email, admin.password);
    const other = await buildPatient(t.ctx.db, clinic.id);
    expect((await client.get(`/api/clinics/${clinic.id}/patients/${patient.id}/portal`)).statusCode).toBe(200);
    expect(
      (await client.post(`/api/clinics/${clinic.id}/patients/${other.id}/portal`, { email: uniqueEmail(), rights: [], wantsElectronicReply: false }))
        .statusCode,
    ).toBe(201);
  });
});
