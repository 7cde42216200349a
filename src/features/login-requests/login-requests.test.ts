import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { minutes } from '../../clock.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { buildClinic, buildLoginRequest, buildPatient, buildPortalLogin, buildStaff } from '../../../test/helpers/factories.ts';
import { activate, activatedPatient, linkToken, PATIENT_PASSWORD, patientLogin } from '../../../test/helpers/portal.ts';
import { StaffClient, startTestApp, type TestApp } from '../../../test/helpers/test-app.ts';
import { lockRequestWithRecordAndLogin } from './approval.repository.ts';

describe.each(backends)('Loginbestillinger, the manual approval queue, on %s', (backend) => {
  let t: TestApp;
  const staffFor = async (clinicIds: string[], name = 'Test Medarbejder') => {
    const user = await buildStaff(t.ctx.db, { clinics: clinicIds.map((id) => ({ id })), name });
    const client = new StaffClient(t.app);
    await client.login(user.email, user.password);
    return client;
  };
  const open = async (client: StaffClient, query = '') => (await client.get(`/api/login-requests${query}`)).json();
  /** Waits (10 s at most) until a statement whose text is like `pattern` waits for a lock. */
  const blockedOnLock = async (pattern: string) => {
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 5))) {
      const waiting = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock' and query like ${pattern}`.execute(t.ctx.db);
      if (waiting.rows[0]!.n > 0) return;
    }
    throw new Error(`no statement like ${pattern} waited for a lock within 10 s`);
  };

  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(() => t.close());

  it('lists the open requests of the caller’s clinics oldest first, with masked CPR, known patient and reason', async () => {
    const a = await buildClinic(t.ctx.db, { name: 'Klinik A' });
    const b = await buildClinic(t.ctx.db, { name: 'Klinik B' });
    const foreign = await buildClinic(t.ctx.db);
    const known = await buildPatient(t.ctx.db, a.id, { cpr: '0505801234', given_name: 'Kendt', family_name: 'Patient' });
    const first = await buildLoginRequest(t.ctx.db, a.id, { cpr: known.cpr, created_at: new Date('2026-02-01T08:00:00Z'), reason: 'not_own_doctor' });
    const second = await buildLoginRequest(t.ctx.db, b.id, {
      created_at: new Date('2026-02-01T09:00:00Z'),
      identity_verified: 'none',
      reason: 'no_mitid_clinic',
    });
    await buildLoginRequest(t.ctx.db, foreign.id);
    const multi = await staffFor([a.id, b.id]);
    const list = await open(multi);
    expect(list.open.map((r: { id: string }) => r.id)).toEqual([first.id, second.id]);
    expect(list.open[0]).toMatchObject({
      clinicName: 'Klinik A',
      maskedCpr: '050580-xxxx',
      knownPatient: { id: known.id, name: 'Kendt Patient' },
      identityVerified: 'mitid',
      reason: 'not_own_doctor',
      previouslyHadAccess: false,
      presetRights: ['econsultation', 'booking', 'renewal'],
    });
    expect(list.open[1]).toMatchObject({ clinicName: 'Klinik B', knownPatient: null, identityVerified: 'none' });
    expect(JSON.stringify(list)).not.toContain('0505801234');
    expect((await open(multi, `?clinicId=${b.id}`)).open.map((r: { id: string }) => r.id)).toEqual([second.id]);
    expect((await multi.get(`/api/login-requests?clinicId=${foreign.id}`)).statusCode).toBe(403);
    expect((await multi.get('/api/login-requests/summary')).json().clinics).toEqual(
      expect.arrayContaining([
        { clinicId: a.id, open: 1 },
        { clinicId: b.id, open: 1 },
      ]),
    );
  });

  it('pages with a keyset cursor without gaps or repeats', async () => {
    const clinic = await buildClinic(t.ctx.db);
    const ids = [];
    for (let i = 0; i < 120; i++) ids.push((await buildLoginRequest(t.ctx.db, clinic.id, { created_at: new Date(Date.UTC(2026, 1, 1, 0, 0, i % 60)) })).id);
    const staff = await staffFor([clinic.id]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { open: { id: string; receivedAt: string }[]; nextCursor: string | null } = await open(staff, cursor ? `?cursor=${cursor}` : '');
      seen.push(...page.open.map((r) => r.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(120);
    expect(new Set(seen).size).toBe(120);
    expect(new Set(seen)).toEqual(new Set(ids));
    expect((await staff.get('/api/login-requests?cursor=garbage')).statusCode).toBe(400);
  });

  it('Opret at a second clinic for a login still waiting for activation voids the first link: only the newest works', async () => {
    const a = await buildClinic(t.ctx.db, { name: 'Klinik A' });
    const b = await buildClinic(t.ctx.db, { name: 'Klinik B' });
    const first = await buildLoginRequest(t.ctx.db, a.id, { identity_verified: 'none' });
    const second = await buildLoginRequest(t.ctx.db, b.id, { identity_verified: 'none', cpr: first.cpr, email: first.email });
    const staff = await staffFor([a.id, b.id]);
    expect((await staff.post(`/api/login-requests/${first.id}/approve`, { rights: ['econsultation'], identityChecked: true })).statusCode).toBe(200);
    const firstLink = linkToken((await t.mailTo(first.email)).text, '/portal/activate')!;
    expect((await staff.post(`/api/login-requests/${second.id}/approve`, { rights: ['booking'], identityChecked: true })).statusCode).toBe(200);
    const secondLink = linkToken((await t.mailTo(first.email)).text, '/portal/activate')!;
    const account = await t.ctx.db.selectFrom('patient_accounts').select('id').where('cpr', '=', first.cpr).executeTakeFirstOrThrow();
    const live = () =>
      t.ctx.db
        .selectFrom('patient_tokens')
        .select('token_hash')
        .where('account_id', '=', account.id)
        .where('purpose', '=', 'activation')
        .where('used_at', 'is', null)
        .execute();
    expect(await live()).toHaveLength(1);
    expect((await activate(t, firstLink)).statusCode).toBe(410);
    expect((await activate(t, secondLink)).statusCode).toBe(200);
    expect(await live()).toHaveLength(0);
  });

  it('Opret for a person whose login already has access at the clinic gives the ticked rights to that one membership', async () => {
    const clinic = await buildClinic(t.ctx.db);
    const patient = await buildPatient(t.ctx.db, clinic.id);
    const email = `member-${String(Date.now())}@example.test`;
    await buildPortalLogin(t.ctx.db, { cpr: patient.cpr, email, clinicId: clinic.id, patientId: patient.id, rights: ['econsultation'] });
    const request = await buildLoginRequest(t.ctx.db, clinic.id, { cpr: patient.cpr, email });
    const staff = await staffFor([clinic.id]);
    const approved = await staff.post(`/api/login-requests/${request.id}/approve`, { rights: ['econsultation', 'booking'] });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json().patientId).toBe(patient.id);
    const memberships = await t.ctx.db.selectFrom('portal_memberships').select(['rights', 'ended_at']).where('patient_id', '=', patient.id).execute();
    expect(memberships).toEqual([{ rights: ['econsultation', 'booking'], ended_at: null }]);
  });

  it('Opret creates the patient record, the login and the membership with the ticked rights, and mails the patient', async () => {
    const clinic = await buildClinic(t.ctx.db);
    const request = await buildLoginRequest(t.ctx.db, clinic.id, { identity_verified: 'none', name: 'Ny Patient Jensen' });
    const staff = await staffFor([clinic.id], 'Sofie Sekretær');
    const withoutCheck = await staff.post(`/api/login-requests/${request.id}/approve`, { rights: ['econsultation'] });
    expect(withoutCheck.statusCode).toBe(400);
    expect(withoutCheck.json().error.field).toBe('identityChecked');
    const approved = await staff.post(`/api/login-requests/${request.id}/approve`, { rights: ['econsultation', 'renewal'], identityChecked: true });
    expect(approved.statusCode).toBe(200);
    const patient = await t.ctx.db.selectFrom('patients').selectAll().where('id', '=', approved.json().patientId).executeTakeFirstOrThrow();
    expect(patient).toMatchObject({ clinic_id: clinic.id, cpr: request.cpr, given_name: 'Ny Patient', family_name: 'Jensen' });
    const token = linkToken((await t.mailTo(request.email)).text, '/portal/activate')!;
    expect((await activate(t, token)).statusCode).toBe(200);
    const session = await patientLogin(t, request.cpr, request.email);
    expect((await session.get('/api/patient/me')).json().clinics[0].rights).toEqual(['econsultation', 'renewal']);
    expect((await session.get('/api/patient/requests')).json().requests[0]).toMatchObject({ status: 'approved' });
    const handled = (await open(staff, '?status=handled')).handled[0];
    expect(handled).toMatchObject({
      id: request.id,
      outcome: 'approved',
      handledBy: 'Sofie Sekretær',
      grantedRights: ['econsultation', 'renewal'],
      patientId: patient.id,
    });
  });

  it('links the existing patient record and a MitID-verified login is usable at once, with a notice mail', async () => {
    const clinic = await buildClinic(t.ctx.db);
    const known = await buildPatient(t.ctx.db, clinic.id);
    const request = await buildLoginRequest(t.ctx.db, clinic.id, { cpr: known.cpr });
    const staff = await staffFor([clinic.id]);
    const approved = await staff.post(`/api/login-requests/${request.id}/approve`, { rights: ['booking'] });
    expect(approved.json().patientId).toBe(known.id);
    expect(await t.ctx.db.selectFrom('patients').select('id').where('clinic_id', '=', clinic.id).where('cpr', '=', known.cpr).execute()).toHaveLength(1);
    const account = await t.ctx.db.selectFrom('patient_accounts').select(['activated_at', 'mitid_uuid']).where('cpr', '=', known.cpr).executeTakeFirstOrThrow();
    expect(account.activated_at).not.toBeNull();
    expect((await t.mailTo(request.email)).subject).toContain('Du har fået adgang');
  });

  it('marks a person who had access before with the red "!" and presets their previous rights', async () => {
    const clinic = await buildClinic(t.ctx.db);
    const staff = await staffFor([clinic.id]);
    const request = await buildLoginRequest(t.ctx.db, clinic.id);
    await staff.post(`/api/login-requests/${request.id}/approve`, { rights: ['booking'] });
    const patientId = (
      await t.ctx.db.selectFrom('patients').select('id').where('cpr', '=', request.cpr).where('clinic_id', '=', clinic.id).executeTakeFirstOrThrow()
    ).id;
    await staff.delete(`/api/clinics/${clinic.id}/patients/${patientId}/portal`);
    const again = await buildLoginRequest(t.ctx.db, clinic.id, { cpr: request.cpr });
    const row = (await open(staff)).open.find((r: { id: string }) => r.id === again.id);
    expect(row).toMatchObject({ previouslyHadAccess: true, presetRights: ['booking'] });
    // A right the clinic no longer offers is not preset; one it offers now but the patient did not have is not either.
    await t.ctx.db
      .updateTable('clinics')
      .set({ offered_functions: ['econsultation', 'renewal'] })
      .where('id', '=', clinic.id)
      .execute();
    expect((await open(staff)).open.find((r: { id: string }) => r.id === again.id)).toMatchObject({ previouslyHadAccess: true, presetRights: [] });
    const newcomer = await buildLoginRequest(t.ctx.db, clinic.id);
    expect((await open(staff)).open.find((r: { id: string }) => r.id === newcomer.id)).toMatchObject({
      previouslyHadAccess: false,
      presetRights: ['econsultation', 'renewal'],
      previousAccess: null,
    });

    const deletedLogin = await buildLoginRequest(t.ctx.db, clinic.id);
    await t.ctx.db.insertInto('patient_accounts').values({ cpr: deletedLogin.cpr, created_at: new Date(), deleted_at: new Date() }).execute();
    expect((await open(staff)).open.find((r: { id: string }) => r.id === deletedLogin.id).previouslyHadAccess).toBe(true);
  });

  it('says who ended the earlier access and when: the clinic (Slet) or the patient (their own login deleted)', async () => {
    const byClinic = await activatedPatient(t);
    t.clock.advance(minutes(5));
    const clinicEnded = t.clock.now();
    expect((await byClinic.secretary.delete(byClinic.portalUrl)).statusCode).toBe(200);
    t.clock.advance(minutes(1));
    const again = await buildLoginRequest(t.ctx.db, byClinic.clinic.id, { cpr: byClinic.patient.cpr });
    const row = (await open(byClinic.secretary)).open.find((r: { id: string }) => r.id === again.id);
    expect(row).toMatchObject({ previouslyHadAccess: true, previousAccess: { endedBy: 'clinic', endedAt: clinicEnded.toISOString() } });

    const byPatient = await activatedPatient(t);
    const patient = await patientLogin(t, byPatient.patient.cpr, byPatient.email);
    t.clock.advance(minutes(2));
    const patientEnded = t.clock.now();
    expect((await patient.delete('/api/patient/me', { password: PATIENT_PASSWORD })).statusCode).toBe(200);
    const back = await buildLoginRequest(t.ctx.db, byPatient.clinic.id, { cpr: byPatient.patient.cpr });
    const fresh = await buildLoginRequest(t.ctx.db, byPatient.clinic.id);
    const rows = (await open(byPatient.secretary)).open as { id: string; previousAccess: unknown }[];
    expect(rows.find((r) => r.id === back.id)?.previousAccess).toEqual({ endedBy: 'patient', endedAt: patientEnded.toISOString() });
    expect(rows.find((r) => r.id === fresh.id)?.previousAccess).toBeNull();
  });

  it('Afvis mails the reason; the handled list and the patient show it', async () => {
    const clinic = await buildClinic(t.ctx.db);
    const staff = await staffFor([clinic.id], 'Anne Afviser');
    const request = await buildLoginRequest(t.ctx.db, clinic.id);
    expect((await staff.post(`/api/login-requests/${request.id}/reject`, { reason: 'Du er ikke tilmeldt klinikken.' })).statusCode).toBe(200);
    const mail = await t.mailTo(request.email);
    expect(mail.text).toContain('Du er ikke tilmeldt klinikken.');
    expect(mail.text).not.toContain(request.cpr);
    const handled = (await open(staff, '?status=handled')).handled[0];
    expect(handled).toMatchObject({ outcome: 'rejected', handledBy: 'Anne Afviser', rejectionReason: 'Du er ikke tilmeldt klinikken.' });
    expect((await open(staff)).open).toHaveLength(0);
  });

  it('lets exactly one of two staff handle a request at once, and tells the other who did', async () => {
    const clinic = await buildClinic(t.ctx.db);
    const one = await staffFor([clinic.id], 'Første Sekretær');
    const two = await staffFor([clinic.id], 'Anden Sekretær');
    const request = await buildLoginRequest(t.ctx.db, clinic.id);
    const results = await Promise.all([
      one.post(`/api/login-requests/${request.id}/approve`, { rights: ['booking'] }),
      two.post(`/api/login-requests/${request.id}/reject`, { reason: null }),
    ]);
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes).toEqual([200, 409]);
    const loser = results.find((r) => r.statusCode === 409)!;
    expect(loser.json().error.code).toBe('already_handled');
    expect(loser.json().error.message.da).toMatch(/(Første|Anden) Sekretær/);
    expect(
      await t.ctx.db
        .selectFrom('portal_memberships as m')
        .innerJoin('patient_accounts as a', 'a.id', 'm.account_id')
        .select('m.id')
        .where('a.cpr', '=', request.cpr)
        .execute(),
    ).toHaveLength(results[0].statusCode === 200 ? 1 : 0);
  });

  it.each([
    ['identified by MitID (one statement)', 'mitid'],
    ['checked by the clinic (the transaction)', 'none'],
  ] as const)('lets exactly one of two staff approve a request at once, %s: one record, one login, one membership, one mail', async (_, identity) => {
    const clinic = await buildClinic(t.ctx.db);
    const request = await buildLoginRequest(t.ctx.db, clinic.id, { identity_verified: identity });
    const staff = [await staffFor([clinic.id], 'Første Sekretær'), await staffFor([clinic.id], 'Anden Sekretær')];
    const results = await Promise.all(staff.map((s) => s.post(`/api/login-requests/${request.id}/approve`, { rights: ['booking'], identityChecked: true })));
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    expect(results.find((r) => r.statusCode === 409)!.json().error.code).toBe('already_handled');
    const count = async (query: Promise<unknown[]>) => (await query).length;
    const db = t.ctx.db;
    expect(await count(db.selectFrom('patients').select('id').where('clinic_id', '=', clinic.id).where('cpr', '=', request.cpr).execute())).toBe(1);
    expect(await count(db.selectFrom('patient_accounts').select('id').where('cpr', '=', request.cpr).execute())).toBe(1);
    expect(await count(db.selectFrom('portal_memberships').select('id').where('clinic_id', '=', clinic.id).execute())).toBe(1);
    expect(await count(db.selectFrom('outbox_mails').select('id').where('to_address', '=', request.email).execute())).toBe(1);
  });

  it('an approval that waited for another staff member’s lock on the request answers who handled it, and writes nothing', async () => {
    const clinic = await buildClinic(t.ctx.db);
    const request = await buildLoginRequest(t.ctx.db, clinic.id);
    const other = await buildStaff(t.ctx.db, { clinics: [{ id: clinic.id }], name: 'Hurtig Sekretær' });
    const staff = await staffFor([clinic.id]);
    let approval: Promise<{ statusCode: number; json(): { error: { code: string; message: { da: string } } } }> | undefined;
    await t.ctx.db.transaction().execute(async (trx) => {
      // The other staff member holds the request (as a rejection does) while this approval starts.
      await trx.selectFrom('login_requests').select('id').where('id', '=', request.id).forUpdate().execute();
      approval = staff.post(`/api/login-requests/${request.id}/approve`, { rights: ['booking'] });
      // Wait until the approval's first statement is queued behind the lock.
      await blockedOnLock('%with request as%');
      await trx.updateTable('login_requests').set({ status: 'rejected', handled_at: new Date(), handled_by: other.id }).where('id', '=', request.id).execute();
    });
    const answer = await approval!;
    expect(answer.statusCode).toBe(409);
    expect(answer.json().error.code).toBe('already_handled');
    expect(answer.json().error.message.da).toContain('Hurtig Sekretær');
    expect(await t.ctx.db.selectFrom('patients').select('id').where('clinic_id', '=', clinic.id).where('cpr', '=', request.cpr).execute()).toEqual([]);
    expect(await t.ctx.db.selectFrom('patient_accounts').select('id').where('cpr', '=', request.cpr).execute()).toEqual([]);
  });

  it('an approval whose patient record another transaction creates meanwhile links that record', async () => {
    const clinic = await buildClinic(t.ctx.db);
    const request = await buildLoginRequest(t.ctx.db, clinic.id);
    const staff = await staffFor([clinic.id]);
    let approval: Promise<{ statusCode: number; json(): { patientId: string } }> | undefined;
    const record = await t.ctx.db.transaction().execute(async (trx) => {
      // Staff create the record from the patient list while the approval's one statement runs: its
      // insert of the record waits for this one, then finds it taken, and its snapshot cannot see it.
      const created = await trx
        .insertInto('patients')
        .values({ clinic_id: clinic.id, cpr: request.cpr, given_name: 'Samtidig', family_name: 'Oprettet' })
        .returning('id')
        .executeTakeFirstOrThrow();
      approval = staff.post(`/api/login-requests/${request.id}/approve`, { rights: ['booking'] });
      await blockedOnLock('%approved as (%created_record as%');
      return created;
    });
    const answer = await approval!;
    expect(answer.statusCode).toBe(200);
    expect(answer.json().patientId).toBe(record.id);
    const db = t.ctx.db;
    expect(await db.selectFrom('patients').select('id').where('clinic_id', '=', clinic.id).where('cpr', '=', request.cpr).execute()).toHaveLength(1);
    expect(await db.selectFrom('patient_accounts').select('id').where('cpr', '=', request.cpr).execute()).toHaveLength(1);
    expect(await db.selectFrom('portal_memberships').select('patient_id').where('clinic_id', '=', clinic.id).execute()).toEqual([{ patient_id: record.id }]);
    expect(await db.selectFrom('outbox_mails').select('id').where('to_address', '=', request.email).execute()).toHaveLength(1);
  });

  it('Opret of a new MitID-identified person in one statement writes the record, the login, the access, the outcome, the mail, the audit row and the event', async () => {
    const clinic = await buildClinic(t.ctx.db, { name: 'Klinik Ét Udsagn' });
    const request = await buildLoginRequest(t.ctx.db, clinic.id, { name: 'Ida Marie Holm' });
    const stored = await t.ctx.db.selectFrom('login_requests').select(['mitid_uuid', 'phone']).where('id', '=', request.id).executeTakeFirstOrThrow();
    const staff = await staffFor([clinic.id], 'Ulla Udsagn');
    // The id in capitals, as a clinic system may send it: the rows name it as PostgreSQL writes it.
    const approved = await staff.post(`/api/login-requests/${request.id.toUpperCase()}/approve`, { rights: ['renewal', 'econsultation'] });
    expect(approved.statusCode, approved.body).toBe(200);
    const patientId = approved.json().patientId as string;
    const db = t.ctx.db;
    const patient = await db
      .selectFrom('patients')
      .select(['clinic_id', 'cpr', 'given_name', 'family_name', 'email', 'phone'])
      .where('id', '=', patientId)
      .executeTakeFirstOrThrow();
    expect(patient).toEqual({
      clinic_id: clinic.id,
      cpr: request.cpr,
      given_name: 'Ida Marie',
      family_name: 'Holm',
      email: request.email,
      phone: stored.phone,
    });
    const login = await db.selectFrom('patient_accounts').selectAll().where('cpr', '=', request.cpr).executeTakeFirstOrThrow();
    expect(login).toMatchObject({ email: request.email, phone: stored.phone, mitid_uuid: stored.mitid_uuid, deleted_at: null, password_hash: null });
    expect(login.activated_at).toEqual(t.clock.now());
    expect(
      await db.selectFrom('portal_memberships').select(['account_id', 'patient_id', 'rights', 'ended_at']).where('clinic_id', '=', clinic.id).execute(),
    ).toEqual([{ account_id: login.id, patient_id: patientId, rights: ['econsultation', 'renewal'], ended_at: null }]);
    const handled = await db
      .selectFrom('login_requests')
      .select(['status', 'handled_at', 'granted_rights', 'patient_id'])
      .where('id', '=', request.id)
      .executeTakeFirstOrThrow();
    expect(handled).toEqual({ status: 'approved', handled_at: t.clock.now(), granted_rights: ['econsultation', 'renewal'], patient_id: patientId });
    const mail = await db
      .selectFrom('outbox_mails')
      .select(['clinic_id', 'template', 'subject', 'template_params', 'link_token_hash'])
      .where('to_address', '=', request.email)
      .executeTakeFirstOrThrow();
    expect(mail).toEqual({
      clinic_id: clinic.id,
      template: 'loginRequestApproved',
      subject: 'Du har fået adgang hos Klinik Ét Udsagn / You have been given access at Klinik Ét Udsagn',
      template_params: { clinicName: 'Klinik Ét Udsagn', link: `${t.ctx.config.publicUrl}/portal/login` },
      link_token_hash: null,
    });
    const audit = await db
      .selectFrom('audit_events')
      .select(['actor_type', 'clinic_id', 'patient_id', 'details'])
      .where('action', '=', 'portal.request_approved')
      .where('patient_id', '=', patientId)
      .execute();
    expect(audit).toEqual([
      {
        actor_type: 'staff',
        clinic_id: clinic.id,
        patient_id: patientId,
        details: { requestId: request.id, rights: ['econsultation', 'renewal'], identityVerified: 'mitid' },
      },
    ]);
    const events = await db.selectFrom('events').select(['type', 'data']).where('clinic_id', '=', clinic.id).execute();
    expect(events).toEqual([{ type: 'login_request.handled', data: { patientId, requestId: request.id } }]);
  });

  it('the mail of an approval by staff of several clinics names the request’s clinic', async () => {
    const a = await buildClinic(t.ctx.db, { name: 'Klinik Alfa' });
    const b = await buildClinic(t.ctx.db, { name: 'Klinik Beta' });
    const request = await buildLoginRequest(t.ctx.db, b.id);
    const staff = await staffFor([a.id, b.id]);
    expect((await staff.post(`/api/login-requests/${request.id}/approve`, { rights: ['booking'] })).statusCode).toBe(200);
    const mails = await t.ctx.db.selectFrom('outbox_mails').select(['subject', 'clinic_id']).where('to_address', '=', request.email).execute();
    expect(mails).toEqual([{ subject: 'Du har fået adgang hos Klinik Beta / You have been given access at Klinik Beta', clinic_id: b.id }]);
    const audit = await t.ctx.db
      .selectFrom('audit_events')
      .select(['clinic_id', 'details'])
      .where('action', '=', 'portal.request_approved')
      .where(sql<boolean>`details->>'requestId' = ${request.id}`)
      .execute();
    expect(audit).toEqual([{ clinic_id: b.id, details: { requestId: request.id, rights: ['booking'], identityVerified: 'mitid' } }]);
  });

  it('the approval’s first statement finds or creates nothing for a request it must not act on (parent’s, identity unchecked, handled)', async () => {
    const clinic = await buildClinic(t.ctx.db);
    const unchecked = await buildLoginRequest(t.ctx.db, clinic.id, { identity_verified: 'none' });
    const parents = await buildLoginRequest(t.ctx.db, clinic.id);
    const parent = await t.ctx.db
      .insertInto('patient_accounts')
      .values({ cpr: '0202020202', created_at: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.ctx.db.updateTable('login_requests').set({ reason: 'parent_request', requested_by_account_id: parent.id }).where('id', '=', parents.id).execute();
    const handled = await buildLoginRequest(t.ctx.db, clinic.id);
    await t.ctx.db.updateTable('login_requests').set({ status: 'rejected', handled_at: new Date() }).where('id', '=', handled.id).execute();
    const open = await buildLoginRequest(t.ctx.db, clinic.id);
    const facts = async (request: { id: string; cpr: string }) => {
      let seen: { facts: unknown; records: number } | undefined;
      // Looked at inside the transaction, then rolled back: what the statement itself wrote.
      await t.ctx.db
        .transaction()
        .execute(async (trx) => {
          const row = await lockRequestWithRecordAndLogin(trx, request.id, [clinic.id], false, new Date());
          const records = await trx.selectFrom('patients').select('id').where('clinic_id', '=', clinic.id).where('cpr', '=', request.cpr).execute();
          seen = { facts: row && { patientId: row.patient_id, loginId: row.login_id, createdLoginId: row.created_login_id }, records: records.length };
          throw new Error('roll back');
        })
        .catch(() => undefined);
      return seen;
    };
    const nothing = { facts: { patientId: null, loginId: null, createdLoginId: null }, records: 0 };
    for (const request of [unchecked, parents, handled]) expect(await facts(request), request.id).toEqual(nothing);
    const control = await facts(open);
    expect(control?.records).toBe(1);
    expect(control?.facts).toMatchObject({ patientId: expect.any(String), createdLoginId: expect.any(String) });
  });

  describe('an approval that is refused leaves nothing behind: no patient record, no login, the request still open', () => {
    const nothingWritten = async (clinicId: string, request: { id: string; cpr: string }) => {
      const db = t.ctx.db;
      expect(await db.selectFrom('patients').select('id').where('clinic_id', '=', clinicId).where('cpr', '=', request.cpr).execute()).toEqual([]);
      expect(await db.selectFrom('patient_accounts').select('id').where('cpr', '=', request.cpr).execute()).toEqual([]);
      expect((await db.selectFrom('login_requests').select('status').where('id', '=', request.id).executeTakeFirstOrThrow()).status).toBe('open');
    };

    it('without the identity check of a person MitID has not identified', async () => {
      const clinic = await buildClinic(t.ctx.db);
      const request = await buildLoginRequest(t.ctx.db, clinic.id, { identity_verified: 'none' });
      const answer = await (await staffFor([clinic.id])).post(`/api/login-requests/${request.id}/approve`, { rights: ['booking'] });
      expect(answer.statusCode).toBe(400);
      await nothingWritten(clinic.id, request);
    });

    it('with a right the clinic does not offer', async () => {
      const clinic = await buildClinic(t.ctx.db);
      await t.ctx.db
        .updateTable('clinics')
        .set({ offered_functions: ['booking'] })
        .where('id', '=', clinic.id)
        .execute();
      const request = await buildLoginRequest(t.ctx.db, clinic.id);
      const answer = await (await staffFor([clinic.id])).post(`/api/login-requests/${request.id}/approve`, { rights: ['econsultation'] });
      expect(answer.statusCode).toBe(400);
      await nothingWritten(clinic.id, request);
    });

    it('when the address is another person’s login', async () => {
      const clinic = await buildClinic(t.ctx.db);
      const request = await buildLoginRequest(t.ctx.db, clinic.id);
      await t.ctx.db.insertInto('patient_accounts').values({ cpr: '0101010101', email: request.email.toUpperCase(), created_at: new Date() }).execute();
      const answer = await (await staffFor([clinic.id])).post(`/api/login-requests/${request.id}/approve`, { rights: ['booking'] });
      expect(answer.statusCode).toBe(409);
      expect(answer.json().error.code).toBe('email_in_use');
      await nothingWritten(clinic.id, request);
    });
  });

  it('keeps other clinics’ staff from handling a request, by id too', async () => {
    const clinic = await buildClinic(t.ctx.db);
    const request = await buildLoginRequest(t.ctx.db, clinic.id);
    const outsider = await staffFor([(await buildClinic(t.ctx.db)).id]);
    expect((await outsider.post(`/api/login-requests/${request.id}/approve`, { rights: [] })).statusCode).toBe(404);
    expect((await outsider.post(`/api/login-requests/${request.id}/reject`, {})).statusCode).toBe(404);
    expect((await open(outsider)).open.some((r: { id: string }) => r.id === request.id)).toBe(false);
  });

  describe('the request form of a clinic without MitID', () => {
    it('queues a request marked "identity not verified", answering the same whatever happens', async () => {
      const clinic = await buildClinic(t.ctx.db, { specialty: 'speciallaege' });
      await t.ctx.db.updateTable('clinics').set({ uses_mitid: false, self_registration: 'manual' }).where('id', '=', clinic.id).execute();
      const known = await buildPatient(t.ctx.db, clinic.id);
      const send = (cpr: string, email = 'form@example.test') =>
        t.app.inject({ method: 'POST', url: `/api/registration/${clinic.slug}/request`, payload: { name: 'Formular Person', cpr, email, phone: '12345678' } });
      const answers = await Promise.all([send('0101701111'), send(known.cpr)]);
      expect(answers.map((a) => a.body)).toEqual([answers[0].body, answers[0].body]);
      for (let i = 0; i < 4; i++) expect((await send('0202702222')).body).toBe(answers[0].body);
      const rows = await t.ctx.db.selectFrom('login_requests').select(['cpr', 'identity_verified', 'reason']).where('clinic_id', '=', clinic.id).execute();
      expect(rows).toHaveLength(3);
      expect(rows.every((r) => r.identity_verified === 'none' && r.reason === 'no_mitid_clinic')).toBe(true);
      expect((await send('bad cpr')).json().error.field).toBe('cpr');
      const huge = await t.app.inject({
        method: 'POST',
        url: `/api/registration/${clinic.slug}/request`,
        payload: { name: 'x'.repeat(5000), cpr: '0101701111', email: 'a@b.dk', phone: null },
      });
      expect(huge.statusCode).toBe(413);
    });

    it('is closed at clinics that use MitID', async () => {
      const clinic = await buildClinic(t.ctx.db);
      await t.ctx.db.updateTable('clinics').set({ uses_mitid: true, self_registration: 'manual' }).where('id', '=', clinic.id).execute();
      const response = await t.app.inject({
        method: 'POST',
        url: `/api/registration/${clinic.slug}/request`,
        payload: { name: 'X Y', cpr: '0101701111', email: 'a@b.dk', phone: null },
      });
      expect(response.statusCode).toBe(403);
    });
  });
});
