import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/databases.ts';
import { buildClinic, buildPatient, buildStaff } from '../../../test/helpers/factories.ts';
import { StaffClient, startTestApp, type TestApp } from '../../../test/helpers/test-app.ts';

describe.each(backends)('patients and clinic scoping on %s', (backend) => {
  let t: TestApp;
  let clinicA: string;
  let clinicB: string;
  let patientA: { id: string; cpr: string };
  let staffA: StaffClient;
  let staffB: StaffClient;
  let staffAId: string;

  beforeAll(async () => {
    t = await startTestApp(backend);
    clinicA = (await buildClinic(t.ctx.db)).id;
    clinicB = (await buildClinic(t.ctx.db)).id;
    patientA = await buildPatient(t.ctx.db, clinicA, { given_name: 'Karen', family_name: 'Blixen', cpr: '1704851234' });
    await buildPatient(t.ctx.db, clinicA, { given_name: 'Hans', family_name: 'Andersen', cpr: '0204053335' });
    await buildPatient(t.ctx.db, clinicB, { given_name: 'Karen', family_name: 'Bposten', cpr: '1704851234' });
    const a = await buildStaff(t.ctx.db, { clinics: [{ id: clinicA }] });
    const b = await buildStaff(t.ctx.db, { clinics: [{ id: clinicB }] });
    staffAId = a.id;
    staffA = new StaffClient(t.app);
    staffB = new StaffClient(t.app);
    await staffA.login(a.email, a.password);
    await staffB.login(b.email, b.password);
  });
  afterAll(() => t.close());

  it('lists only the own clinic’s patients with the CPR masked', async () => {
    const response = await staffA.get(`/api/clinics/${clinicA}/patients`);
    expect(response.statusCode).toBe(200);
    const patients = response.json().patients;
    expect(patients.map((p: { name: string }) => p.name).sort()).toEqual(['Hans Andersen', 'Karen Blixen']);
    expect(patients.find((p: { name: string }) => p.name === 'Karen Blixen').maskedCpr).toBe('170485-xxxx');
    expect(response.body).not.toContain('1234');
  });

  it('searches by name, by CPR with and without the dash', async () => {
    const search = (q: string) => staffA.post(`/api/clinics/${clinicA}/patients/search`, { q });
    const byName = await search('blix');
    expect(byName.json().patients.map((p: { id: string }) => p.id)).toEqual([patientA.id]);
    const byCpr = await search('170485-1234');
    expect(byCpr.json().patients.map((p: { id: string }) => p.id)).toEqual([patientA.id]);
    const byPrefix = await search('020405');
    expect(byPrefix.json().patients).toHaveLength(1);
    const wildcard = await search('%');
    expect(wildcard.json().patients).toHaveLength(0);
  });

  it('refuses a search term in the URL, where a CPR number would end up in logs', async () => {
    const response = await staffA.get(`/api/clinics/${clinicA}/patients?q=170485-1234`);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('search_in_body');
    expect(response.body).not.toContain('Karen');
  });

  it('finds a name prefix given or family name first, ignoring case, with æ, ø, å and aa = å, and only in the own clinic', async () => {
    const clinic = (await buildClinic(t.ctx.db)).id;
    const other = (await buildClinic(t.ctx.db)).id;
    const ids: Record<string, string> = {};
    for (const [given, family, cpr] of [
      ['Søren', 'Ågesen', '0101701111'],
      ['Anne', 'Sørensen', '0101702222'],
      ['Ærling', 'Aagaard', '0101703333'],
      ['Jens', 'Hansen', '0101704444'],
      ['Anne', 'Jensen', '0101705555'],
    ] as const) {
      ids[`${given} ${family}`] = (await buildPatient(t.ctx.db, clinic, { given_name: given, family_name: family, cpr })).id;
    }
    await buildPatient(t.ctx.db, other, { given_name: 'Søren', family_name: 'Jensen', cpr: '0101706666' });
    const staff = await buildStaff(t.ctx.db, { clinics: [{ id: clinic }] });
    const client = new StaffClient(t.app);
    await client.login(staff.email, staff.password);
    const names = async (q: string) =>
      (await client.post(`/api/clinics/${clinic}/patients/search`, { q })).json().patients.map((p: { name: string }) => p.name);
    expect(await names('Jens')).toEqual(['Jens Hansen', 'Anne Jensen']);
    expect((await names('SØR')).sort()).toEqual(['Anne Sørensen', 'Søren Ågesen']);
    expect(await names('aagesen')).toEqual(['Søren Ågesen']);
    expect(await names('ågå')).toEqual(['Ærling Aagaard']);
    expect(await names('æ')).toEqual(['Ærling Aagaard']);
    expect(await names('anne  jen')).toEqual(['Anne Jensen']);
    expect(await names('jensen anne')).toEqual(['Anne Jensen']);
    expect(await names('ensen')).toEqual([]);
    expect(await names('_')).toEqual([]);
  });

  it('shows the record header and writes an audit row for the view', async () => {
    const response = await staffA.get(`/api/clinics/${clinicA}/patients/${patientA.id}`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      givenName: 'Karen',
      familyName: 'Blixen',
      cpr: '170485-1234',
      address: 'Testvej 1',
      phone: '12345678',
      sex: 'female',
    });
    const rows = await t.ctx.db.selectFrom('audit_events').selectAll().where('action', '=', 'patient.viewed').where('patient_id', '=', patientA.id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_type: 'staff', actor_id: staffAId, clinic_id: clinicA, ip: '127.0.0.1' });
  });

  it('does not let staff of clinic B list or read clinic A’s patients', async () => {
    expect((await staffB.get(`/api/clinics/${clinicA}/patients`)).statusCode).toBe(403);
    expect((await staffB.get(`/api/clinics/${clinicA}/patients/${patientA.id}`)).statusCode).toBe(403);
  });

  it('does not find clinic A’s patient when staff of B guesses the id under their own clinic', async () => {
    const response = await staffB.get(`/api/clinics/${clinicB}/patients/${patientA.id}`);
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('not_found');
    const views = await t.ctx.db.selectFrom('audit_events').select('id').where('patient_id', '=', patientA.id).execute();
    expect(views).toHaveLength(1); // only A's own view from the test above
  });

  it('keeps support users out of patient data', async () => {
    const support = await buildStaff(t.ctx.db, { isSupport: true });
    const client = new StaffClient(t.app);
    await client.login(support.email, support.password);
    expect((await client.get(`/api/clinics/${clinicA}/patients`)).statusCode).toBe(403);
    const clinics = await client.get('/api/support/clinics');
    expect(clinics.statusCode).toBe(200);
    expect(clinics.json().clinics.map((c: { id: string }) => c.id)).toEqual(expect.arrayContaining([clinicA, clinicB]));
    expect((await staffA.get('/api/support/clinics')).statusCode).toBe(403);
  });

  it('answers an unauthenticated request 401 and a malformed id 400 naming the field', async () => {
    expect((await t.app.inject({ url: `/api/clinics/${clinicA}/patients` })).statusCode).toBe(401);
    const bad = await staffA.get(`/api/clinics/${clinicA}/patients/not-a-uuid`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe('patientId');
  });
});
