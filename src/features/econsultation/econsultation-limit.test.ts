import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hours } from '../../clock.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { activatedPatient, patientLogin } from '../../../test/helpers/portal.ts';
import { startTestApp, type TestApp } from '../../../test/helpers/test-app.ts';
import { NEW_THREADS_PER_DAY, NEW_THREADS_PER_HOUR } from './econsultation.ts';

describe.each(backends)('new e-konsultationer per patient on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(() => t.close());

  it('allows 5 an hour and 10 a day, counted exactly when sent at once, with a clear message', async () => {
    const { patient, email, clinic } = await activatedPatient(t);
    let client = await patientLogin(t, patient.cpr, email);
    const later = async (h: number) => {
      t.clock.advance(hours(h));
      client = await patientLogin(t, patient.cpr, email); // the session has idled out meanwhile
    };
    const start = (n: number) => client.post(`/api/patient/clinics/${clinic.id}/econsultations`, { subject: `Spørgsmål ${String(n)}`, body: 'Hej klinik' });

    const burst = await Promise.all(Array.from({ length: 12 }, (_, i) => start(i)));
    expect(burst.filter((r) => r.statusCode === 201)).toHaveLength(NEW_THREADS_PER_HOUR);
    const refused = burst.find((r) => r.statusCode === 429)!;
    expect(refused.json().error.code).toBe('econsultation_limit');
    expect(refused.json().error.message.da).toContain('i timen');

    await later(1);
    for (let i = 0; i < NEW_THREADS_PER_DAY - NEW_THREADS_PER_HOUR; i++) expect((await start(100 + i)).statusCode).toBe(201);
    await later(1);
    const daily = await start(200);
    expect(daily.statusCode).toBe(429);
    expect(daily.json().error.message.da).toContain('om dagen');
    await later(23);
    expect((await start(300)).statusCode).toBe(201);
  });
});
