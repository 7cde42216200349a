import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/databases.ts';
import { activatedPatient, clinicWithSecretary, opret, uniqueEmail } from '../../../test/helpers/portal.ts';
import { startTestApp, type TestApp } from '../../../test/helpers/test-app.ts';
import type { PatientTokenPurpose } from '../../db/schema.ts';

/** These races need concurrent transactions: they run on PostgreSQL (as every test does now). */
describe.each(backends)('at most one live link per login and purpose, whatever arrives at once (%s)', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(() => t.close());

  const liveLinks = async (cpr: string, purpose: PatientTokenPurpose) =>
    (
      await t.ctx.db
        .selectFrom('patient_tokens')
        .innerJoin('patient_accounts', 'patient_accounts.id', 'patient_tokens.account_id')
        .select('patient_tokens.token_hash')
        .where('patient_accounts.cpr', '=', cpr)
        .where('patient_tokens.purpose', '=', purpose)
        .where('patient_tokens.used_at', 'is', null)
        .where('patient_tokens.expires_at', '>', t.clock.now())
        .execute()
    ).length;

  it('leaves one live activation link when Gensend is pressed at two clinics at the same moment', async () => {
    const a = await clinicWithSecretary(t);
    await opret(t, a.secretary, a.portalUrl, uniqueEmail());
    const b = await clinicWithSecretary(t, { cpr: a.patient.cpr, name: 'Anden Klinik' });
    expect((await b.secretary.post(b.portalUrl, { email: uniqueEmail(), rights: ['booking'], wantsElectronicReply: false })).statusCode).toBeLessThan(300);
    for (let round = 0; round < 10; round++) {
      const answers = await Promise.all([a.secretary.post(`${a.portalUrl}/resend-activation`), b.secretary.post(`${b.portalUrl}/resend-activation`)]);
      for (const answer of answers) expect([200, 409]).toContain(answer.statusCode);
      expect(await liveLinks(a.patient.cpr, 'activation')).toBe(1);
    }
  });

  it('leaves one live new-password link when Ny kode and "Glemt adgangskode" arrive at the same moment', async () => {
    const { patient, email, secretary, portalUrl } = await activatedPatient(t);
    for (let round = 0; round < 10; round++) {
      await Promise.all([
        secretary.post(`${portalUrl}/new-password`),
        t.app.inject({ method: 'POST', url: '/api/patient/forgot-password', payload: { identifier: email } }),
        t.app.inject({ method: 'POST', url: '/api/patient/forgot-password', payload: { identifier: patient.cpr } }),
      ]);
      expect(await liveLinks(patient.cpr, 'password_reset')).toBe(1);
    }
  });
});
