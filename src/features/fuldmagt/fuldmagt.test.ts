import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hours, minutes } from '../../clock.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { activatedPatient, clinicWithSecretary, opret } from '../../../test/helpers/portal.ts';
import { buildStaff } from '../../../test/helpers/factories.ts';
import { StaffClient, startTestApp, type TestApp } from '../../../test/helpers/test-app.ts';
import { acceptAndAct, giveFuldmagt, GRETE, JENS, mitidSession } from '../../../test/helpers/fuldmagt.ts';

describe.each(backends)('fuldmagt between adults on %s', (backend) => {
  let t: TestApp;
  let clinicA: { id: string };
  let clinicB: { id: string };
  let secretaryA: StaffClient;
  let grete: { email: string; patientId: string };
  let jensEmail: string;

  beforeAll(async () => {
    t = await startTestApp(backend, {}, undefined, { mitid: true });
    const a = await activatedPatient(t, { cpr: GRETE.cpr });
    clinicA = a.clinic;
    secretaryA = a.secretary;
    grete = { email: a.email, patientId: a.patient.id };
    // Grete is a patient at a second clinic too; her fuldmagter below name only clinic A unless said.
    const b = await clinicWithSecretary(t, { cpr: GRETE.cpr });
    clinicB = b.clinic;
    await opret(t, b.secretary, b.portalUrl, a.email);
    jensEmail = (await activatedPatient(t, { cpr: JENS.cpr })).email;
  });
  afterAll(() => t.close());

  it('is given with MitID, accepted by the receiver, and used: the clinic, the audit row and the giver’s Min log name both', async () => {
    const giver = await mitidSession(t, GRETE);
    // Without the step-up the draft stays a draft.
    const draft = (
      await giver.send('POST', '/api/patient/fuldmagter', {
        receiverCpr: JENS.cpr,
        receiverName: 'Jens Jensen',
        clinicIds: [clinicA.id],
        functions: ['econsultation'],
      })
    ).json<{ id: string }>();
    const unconfirmed = await giver.send('POST', `/api/patient/fuldmagter/${draft.id}/confirm`);
    expect(unconfirmed.json().error.code).toBe('reauthentication_required');

    const id = await giveFuldmagt(giver, { clinicIds: [clinicA.id], functions: ['econsultation', 'renewal'] });
    expect((await t.mailTo(grete.email)).subject).toContain('Du har givet en fuldmagt');
    const offerMail = await t.mailTo(jensEmail);
    expect(offerMail.subject).toContain('Du har fået en fuldmagt');
    expect(offerMail.text).toContain('Grete Jensen');
    expect(offerMail.text).not.toContain(GRETE.cpr);

    const jens = await mitidSession(t, JENS);
    const offered = (await jens.send('GET', '/api/patient/fuldmagter')).json<{ received: { id: string; status: string; giverName: string }[] }>();
    expect(offered.received).toEqual([expect.objectContaining({ id, status: 'offered', giverName: 'Grete Jensen' })]);
    expect(JSON.stringify(offered)).not.toContain(GRETE.cpr);
    // An offer is not yet something to act under.
    expect((await jens.send('PUT', '/api/patient/acting-for', { fuldmagtId: id })).statusCode).toBe(404);
    const state = await acceptAndAct(jens, id);
    expect(state.actingForFuldmagt?.giverName).toBe('Grete Jensen');
    expect((await t.mailTo(grete.email)).subject).toContain('accepteret');
    expect((await t.mailTo(jensEmail)).subject).toContain('accepteret');

    const started = await jens.send('POST', `/api/patient/clinics/${clinicA.id}/econsultations`, {
      subject: 'Blodtryk',
      body: 'Grete spørger om blodtryksmålingen.',
    });
    expect(started.statusCode, started.body).toBe(201);
    const threadId = started.json<{ id: string }>().id;
    const thread = (await secretaryA.get(`/api/clinics/${clinicA.id}/econsultations/${threadId}`)).json<{ messages: { actedBy: string }[] }>();
    expect(thread.messages[0]!.actedBy).toBe('Jens Jensen (fuldmagt)');

    const jensAccount = await t.ctx.db.selectFrom('patient_accounts').select('id').where('cpr', '=', JENS.cpr).executeTakeFirstOrThrow();
    const row = await t.ctx.db
      .selectFrom('audit_events')
      .select(['actor_type', 'actor_id', 'patient_id', 'details'])
      .where('action', '=', 'econsultation.started')
      .where('patient_id', '=', grete.patientId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      actor_type: 'patient',
      actor_id: jensAccount.id,
      patient_id: grete.patientId,
      details: { actingFor: { relation: 'fuldmagt', actorAccountId: jensAccount.id, actorName: 'Jens Jensen' } },
    });

    const staffView = await secretaryA.get(`/api/clinics/${clinicA.id}/patients/${grete.patientId}/fuldmagter`);
    expect(staffView.json().fuldmagter).toEqual([
      { receiverName: 'Jens Jensen', status: 'accepted', functions: ['econsultation', 'renewal'], validUntil: expect.any(String) },
    ]);

    const log = (await giver.send('GET', '/api/patient/my-log')).json<{ entries: { who: { name: string } | null; text: { da: string } }[] }>();
    expect(log.entries).toContainEqual(
      expect.objectContaining({
        who: { name: 'Jens Jensen (fuldmagt)', role: null },
        text: { da: "skrev i din e-konsultation 'Blodtryk'", en: expect.any(String) },
      }),
    );

    // Outside the fuldmagt: a function it does not name (reading included), and a clinic it does not name.
    const booking = await jens.send('GET', `/api/patient/clinics/${clinicA.id}/booking`);
    expect(booking.statusCode).toBe(403);
    expect(booking.json().error).toMatchObject({
      code: 'fuldmagt_function_not_granted',
      message: { da: 'Fuldmagten fra Grete Jensen omfatter ikke e-tidsbestilling.' },
    });
    const otherClinic = await jens.send('GET', `/api/patient/clinics/${clinicB.id}/econsultations`);
    expect(otherClinic.statusCode).toBe(403);
    expect(otherClinic.json().error.code).toBe('fuldmagt_clinic_not_covered');

    // Back to himself: Grete's clinic is not his.
    await jens.send('PUT', '/api/patient/acting-for', { childId: null });
    expect((await jens.send('GET', `/api/patient/clinics/${clinicA.id}/econsultations`)).statusCode).toBe(404);
    await giver.send('POST', `/api/patient/fuldmagter/${id}/revoke`);
  });

  it('stops on the receiver’s next request when the giver revokes it, and mails both', async () => {
    const giver = await mitidSession(t, GRETE);
    const id = await giveFuldmagt(giver, { clinicIds: [clinicA.id, clinicB.id], functions: ['econsultation'] });
    const jens = await mitidSession(t, JENS);
    await acceptAndAct(jens, id);
    expect((await jens.send('GET', `/api/patient/clinics/${clinicB.id}/econsultations`)).statusCode).toBe(200);

    expect((await giver.send('POST', `/api/patient/fuldmagter/${id}/revoke`)).statusCode).toBe(200);
    const refused = await jens.send('GET', `/api/patient/clinics/${clinicB.id}/econsultations`);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatchObject({
      code: 'fuldmagt_revoked',
      message: { da: expect.stringContaining('Grete Jensen har tilbagekaldt fuldmagten') },
    });
    expect((await t.mailTo(jensEmail)).subject).toContain('ophørt');
    expect((await t.mailTo(grete.email)).subject).toContain('ophørt');
    const after = (await jens.send('GET', '/api/patient/acting-for')).json<{ fuldmagter: unknown[]; actingForFuldmagt: unknown }>();
    expect(after).toMatchObject({ fuldmagter: [], actingForFuldmagt: null });
    expect((await secretaryA.get(`/api/clinics/${clinicA.id}/patients/${grete.patientId}/fuldmagter`)).json().fuldmagter).toEqual([]);
  });

  it('lets the receiver decline an offer and give up an accepted one', async () => {
    const giver = await mitidSession(t, GRETE);
    const first = await giveFuldmagt(giver, { clinicIds: [clinicA.id], functions: ['renewal'] });
    const jens = await mitidSession(t, JENS);
    expect((await jens.send('POST', `/api/patient/fuldmagter/${first}/decline`)).statusCode).toBe(200);
    expect((await jens.send('POST', `/api/patient/fuldmagter/${first}/accept`)).statusCode).toBe(404);

    const second = await giveFuldmagt(giver, { clinicIds: [clinicA.id], functions: ['renewal'] });
    await acceptAndAct(jens, second);
    expect((await jens.send('GET', `/api/patient/clinics/${clinicA.id}/medications`)).statusCode).toBe(200);
    expect((await jens.send('POST', `/api/patient/fuldmagter/${second}/decline`)).statusCode).toBe(200);
    expect((await jens.send('GET', `/api/patient/clinics/${clinicA.id}/medications`)).json().error.code).toBe('fuldmagt_ended');
    const given = (await giver.send('GET', '/api/patient/fuldmagter')).json<{ given: { id: string; status: string; receiverCprMasked: string }[] }>().given;
    expect(given.find((f) => f.id === first)).toMatchObject({ status: 'declined', receiverCprMasked: '120370-xxxx' });
    expect(given.find((f) => f.id === second)?.status).toBe('given_up');
  });

  it('refuses receivers at a clinic that does not accept fuldmagter, and again accepts them when switched back on', async () => {
    const giver = await mitidSession(t, GRETE);
    const id = await giveFuldmagt(giver, { clinicIds: [clinicA.id], functions: ['econsultation'] });
    const jens = await mitidSession(t, JENS);
    await acceptAndAct(jens, id);
    const settings = (await secretaryA.get(`/api/clinics/${clinicA.id}/settings`)).json<Record<string, unknown>>();
    expect(settings.acceptsPowerOfAttorney).toBe(true);
    const { name: _n, slug: _s, autoApprovalAllowed: _a, ...input } = settings;
    const adminUser = await buildStaff(t.ctx.db, { clinics: [{ id: clinicA.id, role: 'admin' }] });
    const admin = new StaffClient(t.app);
    await admin.login(adminUser.email, adminUser.password);
    const off = await admin.put(`/api/clinics/${clinicA.id}/settings`, { ...input, acceptsPowerOfAttorney: false });
    expect(off.json()).toMatchObject({ acceptsPowerOfAttorney: false });
    const refused = await jens.send('GET', `/api/patient/clinics/${clinicA.id}/econsultations`);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatchObject({ code: 'fuldmagt_not_accepted', message: { da: expect.stringContaining('modtager ikke fuldmagter') } });
    expect((await admin.put(`/api/clinics/${clinicA.id}/settings`, { ...input, acceptsPowerOfAttorney: true })).statusCode).toBe(200);
    expect((await jens.send('GET', `/api/patient/clinics/${clinicA.id}/econsultations`)).statusCode).toBe(200);
    await giver.send('POST', `/api/patient/fuldmagter/${id}/revoke`);
  });

  it('refuses an end date more than 2 years ahead, a child receiver and a clinic that is not the giver’s', async () => {
    const giver = await mitidSession(t, GRETE);
    const overview = (await giver.send('GET', '/api/patient/fuldmagter')).json<{ latestUntil: string; defaultUntil: string; clinics: { id: string }[] }>();
    expect(overview.clinics.map((c) => c.id).sort()).toEqual([clinicA.id, clinicB.id].sort());
    const tooLate = new Date(`${overview.latestUntil}T00:00:00Z`);
    tooLate.setUTCDate(tooLate.getUTCDate() + 1);
    const base = { receiverCpr: JENS.cpr, receiverName: 'Jens Jensen', clinicIds: [clinicA.id], functions: ['booking'] };
    expect((await giver.send('POST', '/api/patient/fuldmagter', { ...base, until: tooLate.toISOString().slice(0, 10) })).json().error.field).toBe('until');
    expect((await giver.send('POST', '/api/patient/fuldmagter', { ...base, until: overview.latestUntil })).statusCode).toBe(201);
    expect((await giver.send('POST', '/api/patient/fuldmagter', { ...base, receiverCpr: '1207174028' })).json().error.code).toBe('fuldmagt_receiver_not_adult');
    const { clinic: notHers } = await clinicWithSecretary(t);
    expect((await giver.send('POST', '/api/patient/fuldmagter', { ...base, clinicIds: [notHers.id] })).json().error.field).toBe('clinicIds');
  });

  it('ends by the clock after its last day', async () => {
    const giver = await mitidSession(t, GRETE);
    const tomorrow = new Date(t.clock.now().getTime() + hours(24)).toISOString().slice(0, 10);
    const id = await giveFuldmagt(giver, { clinicIds: [clinicA.id], functions: ['econsultation'], until: tomorrow });
    const jens0 = await mitidSession(t, JENS);
    expect((await jens0.send('POST', `/api/patient/fuldmagter/${id}/accept`)).statusCode).toBe(200);
    // Ten minutes before midnight (UTC) on the last day: still valid; twenty minutes later: not.
    const lastMinutes = new Date(`${tomorrow}T23:50:00Z`).getTime() - t.clock.now().getTime();
    t.clock.advance(lastMinutes);
    const jens = await mitidSession(t, JENS);
    expect((await jens.send('PUT', '/api/patient/acting-for', { fuldmagtId: id })).statusCode).toBe(200);
    expect((await jens.send('GET', `/api/patient/clinics/${clinicA.id}/econsultations`)).statusCode).toBe(200);
    t.clock.advance(minutes(20));
    const refused = await jens.send('GET', `/api/patient/clinics/${clinicA.id}/econsultations`);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatchObject({
      code: 'fuldmagt_expired',
      message: { da: `Fuldmagten fra Grete Jensen udløb ${tomorrow}. Grete Jensen kan give en ny.` },
    });
  });
});
