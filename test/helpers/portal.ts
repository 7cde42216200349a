import { expect } from 'vitest';
import { buildClinic, buildPatient, buildStaff } from './factories.ts';
import { PatientClient, StaffClient, type TestApp } from './test-app.ts';

export const PATIENT_PASSWORD = 'lang sætning om en gul cykel';

export const linkToken = (text: string, path: string) => new RegExp(`${path}#token=([A-Za-z0-9_-]+)`).exec(text)?.[1];
export const mailedCode = (text: string) => /sikkerhedskode er: (\d{8})/.exec(text)?.[1];

/** A clinic with a logged-in secretary and one patient record. */
export async function clinicWithSecretary(t: TestApp, options: { cpr?: string; name?: string } = {}) {
  const clinic = await buildClinic(t.ctx.db, { name: options.name });
  const staff = await buildStaff(t.ctx.db, { clinics: [{ id: clinic.id }] });
  const secretary = new StaffClient(t.app);
  await secretary.login(staff.email, staff.password);
  const patient = await buildPatient(t.ctx.db, clinic.id, { cpr: options.cpr });
  const portalUrl = `/api/clinics/${clinic.id}/patients/${patient.id}/portal`;
  return { clinic, secretary, patient, portalUrl };
}

let emails = 0;
export const uniqueEmail = () => `patient${++emails}-${Date.now()}@example.test`;

/** Opret from the form, then the activation token from the mail. */
export async function opret(t: TestApp, secretary: StaffClient, portalUrl: string, email: string, rights = ['econsultation', 'booking', 'renewal']) {
  const response = await secretary.post(portalUrl, { email, rights, wantsElectronicReply: true });
  expect(response.statusCode).toBe(201);
  const mail = await t.mailTo(email);
  return { response, token: linkToken(mail.text, '/portal/activate') };
}

export async function activate(t: TestApp, token: string, password = PATIENT_PASSWORD) {
  return t.app.inject({ method: 'POST', url: '/api/patient/activation', payload: { token, password } });
}

/** A full password + mailed code login; returns the logged-in client. */
export async function patientLogin(t: TestApp, identifier: string, email: string, password = PATIENT_PASSWORD) {
  const client = new PatientClient(t.app);
  const step1 = await client.startLogin(identifier, password);
  expect(step1.statusCode).toBe(200);
  const mail = await t.mailTo(email);
  const code = mailedCode(mail.text);
  if (!code) throw new Error(`expected a code mail to ${email}, got "${mail.subject}"`);
  const step2 = await client.enterCode(step1.json().challengeId, code);
  expect(step2.statusCode).toBe(200);
  return client;
}

/** A patient who has an activated login through a fresh clinic. */
export async function activatedPatient(t: TestApp, options: { cpr?: string } = {}) {
  const setup = await clinicWithSecretary(t, options);
  const email = uniqueEmail();
  const { token } = await opret(t, setup.secretary, setup.portalUrl, email);
  expect((await activate(t, token!)).statusCode).toBe(200);
  return { ...setup, email };
}
