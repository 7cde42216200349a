import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/databases.ts';
import { activate, activatedPatient, linkToken, opret, patientLogin, PATIENT_PASSWORD, uniqueEmail } from '../../../test/helpers/portal.ts';
import { PatientClient, startTestApp, type TestApp } from '../../../test/helpers/test-app.ts';

describe.each(backends)('the patient’s profile on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(() => t.close());

  it('changes the e-mail only with the password and after the new address confirms it', async () => {
    const { patient, email } = await activatedPatient(t);
    const client = await patientLogin(t, patient.cpr, email);
    const newEmail = uniqueEmail();
    const wrong = await client.post('/api/patient/me/email', { password: 'not my password', newEmail });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().error.code).toBe('wrong_password');
    expect((await client.post('/api/patient/me/email', { password: PATIENT_PASSWORD, newEmail })).statusCode).toBe(200);
    expect((await client.get('/api/patient/me')).json().email).toBe(email);
    const token = linkToken((await t.mailTo(newEmail)).text, '/portal/confirm-email')!;
    expect((await t.app.inject({ method: 'POST', url: '/api/patient/confirm-email', payload: { token } })).statusCode).toBe(200);
    expect((await client.get('/api/patient/me')).json().email).toBe(newEmail);
    const notice = await t.mailTo(email);
    expect(notice.subject).toContain('e-mailadresse i Patientportal er skiftet');
    expect(notice.text).not.toContain('#token=');
    await patientLogin(t, newEmail, newEmail);
  });

  it('answers the same when the new address belongs to someone else, and refuses it at confirmation', async () => {
    const a = await activatedPatient(t);
    const b = await activatedPatient(t);
    const client = await patientLogin(t, a.patient.cpr, a.email);
    expect((await client.post('/api/patient/me/email', { password: PATIENT_PASSWORD, newEmail: b.email })).statusCode).toBe(200);
    const token = linkToken((await t.mailTo(b.email)).text, '/portal/confirm-email')!;
    const confirm = await t.app.inject({ method: 'POST', url: '/api/patient/confirm-email', payload: { token } });
    expect(confirm.statusCode).toBe(409);
    expect((await client.get('/api/patient/me')).json().email).toBe(a.email);
  });

  it('changes the phone number and refuses one that is not a phone number', async () => {
    const { patient, email } = await activatedPatient(t);
    const client = await patientLogin(t, patient.cpr, email);
    expect((await client.put('/api/patient/me/phone', { phone: '+45 12 34 56 78' })).statusCode).toBe(200);
    expect((await client.get('/api/patient/me')).json().phone).toBe('+45 12 34 56 78');
    const bad = await client.put('/api/patient/me/phone', { phone: 'ring mig' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe('phone');
  });

  it('deletes the login: memberships end, sessions end, the clinics keep their records and remember the rights', async () => {
    const { patient, email, secretary, portalUrl } = await activatedPatient(t);
    await secretary.put(portalUrl, { rights: ['booking'], wantsElectronicReply: false });
    const client = await patientLogin(t, patient.cpr, email);
    expect((await client.delete('/api/patient/me', { password: 'wrong password' })).statusCode).toBe(403);
    expect((await client.delete('/api/patient/me', { password: PATIENT_PASSWORD })).statusCode).toBe(200);
    expect((await client.get('/api/patient/me')).statusCode).toBe(401);
    expect((await new PatientClient(t.app).startLogin(patient.cpr, PATIENT_PASSWORD)).statusCode).toBe(401);
    expect((await t.mailTo(email)).subject).toContain('slettet');
    expect(await t.ctx.db.selectFrom('patients').select('id').where('id', '=', patient.id).execute()).toHaveLength(1);

    const form = (await secretary.get(portalUrl)).json();
    expect(form).toMatchObject({ status: 'none', rights: ['booking'] });
    expect(form.history[0].action).toBe('portal.login_deleted');

    // Created again by the clinic: a new login to activate, not the old password.
    const { token } = await opret(t, secretary, portalUrl, email, form.rights);
    expect((await activate(t, token!, 'ny start med ny kode')).statusCode).toBe(200);
    await patientLogin(t, patient.cpr, email, 'ny start med ny kode');
  });
});
