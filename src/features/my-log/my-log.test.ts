import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/databases.ts';
import { activatedPatient, patientLogin } from '../../../test/helpers/portal.ts';
import { PatientClient, startTestApp, type TestApp } from '../../../test/helpers/test-app.ts';

interface Entry {
  clinic: string | null;
  who: { name: string; role: { da: string } | null } | null;
  kind: string;
  text: { da: string; en: string };
}

describe.each(backends)('Min log (%s)', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(() => t.close());

  it('shows the patient who at the clinic read and changed their data, in plain Danish, and their own logins', async () => {
    const me = await activatedPatient(t);
    const other = await activatedPatient(t);
    const patient = await patientLogin(t, me.patient.cpr, me.email);
    const thread = await patient.post(`/api/patient/clinics/${me.clinic.id}/econsultations`, { subject: 'Ondt i knæet', body: 'Det gør ondt' });
    expect(thread.statusCode).toBe(201);

    // The secretary reads the thread and removes e-tidsbestilling; another patient's record is read too.
    expect((await me.secretary.get(`/api/clinics/${me.clinic.id}/econsultations/${thread.json().id}`)).statusCode).toBe(200);
    expect((await me.secretary.put(me.portalUrl, { rights: ['econsultation', 'renewal'], wantsElectronicReply: true })).statusCode).toBe(200);
    expect((await other.secretary.get(`/api/clinics/${other.clinic.id}/patients/${other.patient.id}`)).statusCode).toBe(200);
    await new PatientClient(t.app).startLogin(me.patient.cpr, 'a wrong password guess');

    const log = await patient.get('/api/patient/my-log');
    expect(log.statusCode).toBe(200);
    const entries = log.json<{ entries: Entry[] }>().entries;
    const lines = entries.map((e) => `${e.who?.name ?? 'Du'}: ${e.text.da}`);
    expect(lines).toContain("Test Medarbejder: så din e-konsultation 'Ondt i knæet'");
    expect(lines).toContain('Test Medarbejder: ændrede dine rettigheder: E-tidsbestilling fjernet');
    expect(lines).toContain('Test Medarbejder: oprettede dit login');
    expect(lines).toContain('Du: Du loggede ind med adgangskode og sikkerhedskode');
    expect(lines).toContain('Du: Forsøg på at logge ind med forkert adgangskode');
    const changed = entries.find((e) => e.text.da.startsWith('ændrede dine rettigheder'));
    expect(changed).toMatchObject({ clinic: me.clinic.name, kind: 'clinic', who: { role: { da: 'medarbejder' } } });
    // Nothing of the other patient, nor of the patient's own e-konsultation writing.
    expect(entries.every((e) => e.clinic === me.clinic.name || e.clinic === null)).toBe(true);
    expect(lines.some((l) => l.includes('så dine oplysninger i patientkartoteket'))).toBe(false);
  });

  it('pages newest first and is for the logged-in patient only', async () => {
    const me = await activatedPatient(t);
    const patient = await patientLogin(t, me.patient.cpr, me.email);
    for (let i = 0; i < 5; i++) await me.secretary.get(me.portalUrl);
    const first = await patient.get('/api/patient/my-log?limit=3');
    const page = first.json<{ entries: { id: number }[]; nextBefore: number }>();
    expect(page.entries).toHaveLength(3);
    expect(page.entries[0]!.id).toBeGreaterThan(page.entries[2]!.id);
    const second = (await patient.get(`/api/patient/my-log?limit=3&before=${page.nextBefore}`)).json<{ entries: { id: number }[] }>();
    expect(second.entries[0]!.id).toBeLessThan(page.entries[2]!.id);
    expect((await t.app.inject({ method: 'GET', url: '/api/patient/my-log' })).statusCode).toBe(401);
  });
});
