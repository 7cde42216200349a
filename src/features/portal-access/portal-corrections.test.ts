import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/databases.ts';
import { activate, activatedPatient, clinicWithSecretary, linkToken, opret, uniqueEmail } from '../../../test/helpers/portal.ts';
import { startTestApp, type TestApp } from '../../../test/helpers/test-app.ts';

describe.each(backends)('correcting the Patientportal form on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(() => t.close());

  it('staff correct the e-mail of a pending login: the old link dies, a new one goes to the new address, the history says so', async () => {
    const { secretary, portalUrl, patient } = await clinicWithSecretary(t);
    // The record has no address yet, so Opret fills the mistyped one in there too.
    await t.ctx.db.updateTable('patients').set({ email: null }).where('id', '=', patient.id).execute();
    const typo = uniqueEmail().replace('example', 'exmaple');
    const { token: old } = await opret(t, secretary, portalUrl, typo);
    const right = uniqueEmail();

    const corrected = await secretary.put(`${portalUrl}/email`, { email: right });
    expect(corrected.statusCode).toBe(200);
    expect(corrected.json()).toMatchObject({ status: 'pending_activation', email: right });
    expect(corrected.json().history[0]).toMatchObject({ action: 'portal.email_corrected', actorName: 'Test Medarbejder' });

    const mail = await t.mailTo(right);
    const fresh = linkToken(mail.text, '/portal/activate');
    expect(fresh).toBeDefined();
    expect((await activate(t, old!)).statusCode).toBe(410);
    expect((await activate(t, fresh!)).statusCode).toBe(200);
    const record = await t.ctx.db.selectFrom('patients').select('email').where('id', '=', patient.id).executeTakeFirstOrThrow();
    expect(record.email).toBe(right);
    // Activated: the address is the patient's own now.
    expect((await secretary.put(`${portalUrl}/email`, { email: uniqueEmail() })).json().error.code).toBe('already_activated');
  });

  it("refuses a correction to another person's address, naming the field", async () => {
    const other = await activatedPatient(t);
    const { secretary, portalUrl } = await clinicWithSecretary(t);
    await opret(t, secretary, portalUrl, uniqueEmail());
    const taken = await secretary.put(`${portalUrl}/email`, { email: other.email });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.field).toBe('email');
  });

  it("after Slet the form shows the login's e-mail, not the record's", async () => {
    const { secretary, portalUrl, patient, email } = await activatedPatient(t);
    await t.ctx.db.updateTable('patients').set({ email: 'record@example.test' }).where('id', '=', patient.id).execute();
    const deleted = await secretary.delete(portalUrl);
    expect(deleted.json()).toMatchObject({ status: 'none', email });
  });

  it('the "rights changed" history line says what was added and removed', async () => {
    const { secretary, portalUrl } = await clinicWithSecretary(t);
    await opret(t, secretary, portalUrl, uniqueEmail(), ['econsultation', 'booking']);
    const changed = await secretary.put(portalUrl, { rights: ['econsultation', 'renewal'], wantsElectronicReply: true });
    expect(changed.json().history[0]).toMatchObject({
      action: 'portal.rights_changed',
      change: { added: ['renewal'], removed: ['booking'], wantsElectronicReply: null },
    });
  });
});
