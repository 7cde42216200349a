import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hours, minutes } from '../../clock.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { buildClinic, buildPatient, buildStaff } from '../../../test/helpers/factories.ts';
import { MitidBrowser } from '../../../test/helpers/mitid-browser.ts';
import { activatedPatient, patientLogin } from '../../../test/helpers/portal.ts';
import { StaffClient, startTestApp, type TestApp } from '../../../test/helpers/test-app.ts';
import type { TestPerson } from '../mitid/test-broker.ts';
import { importCustodyCsv } from '../custody/import-custody.ts';

const METTE: TestPerson = { cpr: '0304851236', name: 'Mette Hansen', birthDate: '1985-04-03', loa: 'Substantial' };
const JONAS: TestPerson = { cpr: '1911831237', name: 'Jonas Hansen', birthDate: '1983-11-19', loa: 'High' };
const STRANGER: TestPerson = { cpr: '1111801235', name: 'Fremmed Person', birthDate: '1980-11-11', loa: 'Substantial' };
const EMMA = '1207174028'; // 12 July 2017
const OSCAR = '0202194017'; // 2 February 2019
const FRIDA = '0601114026'; // 6 January 2011: 15 on the day after the test clock's start

describe.each(backends)('parents acting for children under 15 on %s', (backend) => {
  let t: TestApp;
  let clinicA: { id: string };
  let clinicB: { id: string };
  let secretaryA: StaffClient;
  let secretaryB: StaffClient;
  const children: Record<string, { id: string }> = {};
  const custody = (csv: string) => importCustodyCsv(t.ctx.db, `child_cpr,holder_cpr\n${csv}`, { type: 'cli', id: null, ip: null }, t.clock.now());

  /** A person with a login (made by a clinic), then logged in with MitID. */
  const withLogin = new Set<string>();
  const mitidParent = async (who: TestPerson) => {
    if (!withLogin.has(who.cpr)) await activatedPatient(t, { cpr: who.cpr });
    withLogin.add(who.cpr);
    const browser = new MitidBrowser(t.app);
    expect(await browser.login({ purpose: 'login' }, who)).toBe('/portal');
    const csrf = (await browser.app_('GET', '/api/patient/session')).json<{ csrfToken: string }>().csrfToken;
    const send = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown) =>
      browser.app_(method, url, body, method === 'GET' ? {} : { 'x-csrf-token': csrf });
    return { browser, send };
  };
  const staffAt = async (clinicId: string) => {
    const staff = await buildStaff(t.ctx.db, { clinics: [{ id: clinicId, role: 'admin' }], name: 'Sofie Sekretær' });
    const client = new StaffClient(t.app);
    await client.login(staff.email, staff.password);
    return client;
  };
  const grant = (secretary: StaffClient, clinicId: string, patientId: string, rights = ['econsultation', 'booking', 'renewal']) =>
    secretary.put(`/api/clinics/${clinicId}/patients/${patientId}/parent-access`, { rights, wantsElectronicReply: true });
  const publishSlot = async (secretary: StaffClient, clinicId: string) =>
    (
      await secretary.post(`/api/clinics/${clinicId}/slots`, {
        practitioner: 'Læge Holm',
        startsAt: new Date(t.clock.now().getTime() + hours(72)).toISOString(),
        durationMinutes: 15,
        kind: 'Konsultation',
      })
    ).json<{ id: string }>().id;

  beforeAll(async () => {
    t = await startTestApp(backend, {}, undefined, { mitid: true });
    clinicA = await buildClinic(t.ctx.db, { name: 'Lægerne Søndergade' });
    clinicB = await buildClinic(t.ctx.db, { name: 'Lægehuset Åparken' });
    secretaryA = await staffAt(clinicA.id);
    secretaryB = await staffAt(clinicB.id);
    children.emma = await buildPatient(t.ctx.db, clinicA.id, { cpr: EMMA, given_name: 'Emma', family_name: 'Hansen' });
    children.oscar = await buildPatient(t.ctx.db, clinicB.id, { cpr: OSCAR, given_name: 'Oscar', family_name: 'Hansen' });
    children.frida = await buildPatient(t.ctx.db, clinicA.id, { cpr: FRIDA, given_name: 'Frida', family_name: 'Hansen' });
    await custody(`${EMMA},${METTE.cpr}\n${EMMA},${JONAS.cpr}\n${OSCAR},${METTE.cpr}\n${FRIDA},${METTE.cpr}\n`);
    for (const [secretary, clinicId, child] of [
      [secretaryA, clinicA.id, children.emma],
      [secretaryB, clinicB.id, children.oscar],
      [secretaryA, clinicA.id, children.frida],
    ] as const) {
      const granted = await grant(secretary, clinicId, child.id);
      expect(granted.statusCode, granted.body).toBe(200);
    }
  });
  afterAll(() => t.close());

  it('lets a MitID parent switch to a child and book for it; the clinic sees who booked for whom, the audit row has both', async () => {
    const mette = await mitidParent(METTE);
    const list = (await mette.send('GET', '/api/patient/acting-for')).json<{ children: { childId: string; name: string; age: number; status: string }[] }>();
    expect(list.children.map((c) => [c.name, c.age, c.status])).toEqual([
      ['Emma Hansen', 8, 'available'],
      ['Frida Hansen', 14, 'available'],
      ['Oscar Hansen', 6, 'available'],
    ]);
    expect(JSON.stringify(list)).not.toContain(EMMA);
    const emma = list.children.find((c) => c.name === 'Emma Hansen')!;
    const switched = await mette.send('PUT', '/api/patient/acting-for', { childId: emma.childId });
    expect(switched.json()).toMatchObject({ actingFor: { name: 'Emma Hansen', age: 8 } });

    const slotId = await publishSlot(secretaryA, clinicA.id);
    const booked = await mette.send('POST', `/api/patient/clinics/${clinicA.id}/appointments`, { slotId });
    expect(booked.statusCode, booked.body).toBe(201);
    const slots = (await secretaryA.get(`/api/clinics/${clinicA.id}/slots`)).json<{ slots: { id: string; bookedBy: string; actedBy: string }[] }>();
    expect(slots.slots.find((s) => s.id === slotId)).toMatchObject({ bookedBy: 'Emma Hansen', actedBy: 'Mette Hansen (mor)' });

    const row = await t.ctx.db
      .selectFrom('appointments')
      .select(['patient_id', 'acted_by_name', 'acted_by_relation'])
      .where('slot_id', '=', slotId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ patient_id: children.emma!.id, acted_by_name: 'Mette Hansen', acted_by_relation: 'mor' });
    const account = await t.ctx.db.selectFrom('patient_accounts').select('id').where('cpr', '=', METTE.cpr).executeTakeFirstOrThrow();
    const auditRow = await t.ctx.db
      .selectFrom('audit_events')
      .select(['actor_type', 'actor_id', 'patient_id', 'details'])
      .where('action', '=', 'booking.booked')
      .where('patient_id', '=', children.emma!.id)
      .executeTakeFirstOrThrow();
    expect(auditRow).toMatchObject({
      actor_type: 'patient',
      actor_id: account.id,
      patient_id: children.emma!.id,
      details: { actingFor: { relation: 'mor', actorAccountId: account.id } },
    });

    const started = await mette.send('POST', `/api/patient/clinics/${clinicA.id}/econsultations`, { subject: 'Feber', body: 'Emma har feber.' });
    expect(started.statusCode, started.body).toBe(201);
    const thread = (await secretaryA.get(`/api/clinics/${clinicA.id}/econsultations/${started.json<{ id: string }>().id}`)).json<{
      messages: { actedBy: string }[];
    }>();
    expect(thread.messages[0]!.actedBy).toBe('Mette Hansen (mor)');
    const inbox = (await secretaryA.get(`/api/clinics/${clinicA.id}/econsultations`)).json<{
      threads: { id: string; patientName: string; actedBy: string | null }[];
    }>();
    expect(inbox.threads.find((th) => th.id === started.json<{ id: string }>().id)).toMatchObject({
      patientName: 'Emma Hansen',
      actedBy: 'Mette Hansen (mor)',
    });

    // Back to herself: the child's clinic is not hers.
    await mette.send('PUT', '/api/patient/acting-for', { childId: null });
    expect((await mette.send('GET', `/api/patient/clinics/${clinicA.id}/booking`)).statusCode).toBe(404);
  });

  it('acts for each of two children only at the clinic where that child has access', async () => {
    const mette = await mitidParent(METTE);
    const list = (await mette.send('GET', '/api/patient/acting-for')).json<{ children: { childId: string; name: string; clinics: { id: string }[] }[] }>();
    const oscar = list.children.find((c) => c.name === 'Oscar Hansen')!;
    const emma = list.children.find((c) => c.name === 'Emma Hansen')!;
    expect(oscar.clinics.map((c) => c.id)).toEqual([clinicB.id]);
    await mette.send('PUT', '/api/patient/acting-for', { childId: oscar.childId });
    expect((await mette.send('GET', `/api/patient/clinics/${clinicB.id}/booking`)).statusCode).toBe(200);
    expect((await mette.send('GET', `/api/patient/clinics/${clinicA.id}/booking`)).statusCode).toBe(404);
    await mette.send('PUT', '/api/patient/acting-for', { childId: emma.childId });
    expect((await mette.send('GET', `/api/patient/clinics/${clinicA.id}/booking`)).statusCode).toBe(200);
    expect((await mette.send('GET', `/api/patient/clinics/${clinicB.id}/booking`)).statusCode).toBe(404);
  });

  it('refuses a password login: acting for a child needs MitID', async () => {
    const { email } = await activatedPatient(t);
    const patient = await patientLogin(t, email, email);
    const row = await t.ctx.db.selectFrom('child_access').select('id').where('patient_id', '=', children.emma!.id).executeTakeFirstOrThrow();
    const refused = await patient.put('/api/patient/acting-for', { childId: row.id });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('mitid_required');
  });

  it('ends access on the next request when custody changes, and a stranger cannot switch to the child', async () => {
    const jonas = await mitidParent(JONAS);
    const emma = (await jonas.send('GET', '/api/patient/acting-for')).json<{ children: { childId: string }[] }>().children[0]!;
    await jonas.send('PUT', '/api/patient/acting-for', { childId: emma.childId });
    expect((await jonas.send('GET', `/api/patient/clinics/${clinicA.id}/econsultations`)).statusCode).toBe(200);

    await custody(`${EMMA},${METTE.cpr}\n`);
    const refused = await jonas.send('GET', `/api/patient/clinics/${clinicA.id}/econsultations`);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatchObject({ code: 'custody_ended' });
    expect((await jonas.send('GET', '/api/patient/acting-for')).json().children).toEqual([]);

    const stranger = await mitidParent(STRANGER);
    expect((await stranger.send('PUT', '/api/patient/acting-for', { childId: emma.childId })).statusCode).toBe(404);
    expect((await stranger.send('GET', '/api/patient/acting-for')).json().children).toEqual([]);
  });

  it('mails the answer notice for a child only to a parent who still holds custody', async () => {
    const emailOf = async (cpr: string) =>
      (await t.ctx.db.selectFrom('patient_accounts').select('email').where('cpr', '=', cpr).executeTakeFirstOrThrow()).email!;
    const mette = await mitidParent(METTE);
    const emma = (await mette.send('GET', '/api/patient/acting-for'))
      .json<{ children: { childId: string; name: string }[] }>()
      .children.find((c) => c.name.startsWith('Emma'))!;
    await mette.send('PUT', '/api/patient/acting-for', { childId: emma.childId });
    const started = await mette.send('POST', `/api/patient/clinics/${clinicA.id}/econsultations`, { subject: 'Hoste', body: 'Emma hoster.' });
    expect(started.statusCode, started.body).toBe(201);
    const threadUrl = `/api/clinics/${clinicA.id}/econsultations/${started.json<{ id: string }>().id}/messages`;
    const metteMail = await emailOf(METTE.cpr);
    const notices = async () =>
      (await t.ctx.db.selectFrom('outbox_mails').select('id').where('to_address', '=', metteMail).where('template', '=', 'econsultationAnswered').execute())
        .length;
    const before = await notices();

    expect((await secretaryA.post(threadUrl, { body: 'Kom forbi i morgen.' })).statusCode).toBe(201);
    expect(await notices()).toBe(before + 1); // the parent who wrote, with custody: notified

    await custody(`${EMMA},${JONAS.cpr}\n`); // Mette no longer holds custody
    expect((await secretaryA.post(threadUrl, { body: 'Husk sygesikringskortet.' })).statusCode).toBe(201);
    expect(await notices()).toBe(before + 1); // no notice about the child to a former custody holder
    await custody(`${EMMA},${METTE.cpr}\n`);
  });

  it('ends access when the clinic turns the setting off, and a speciallæge refuses Forældreadgang by default', async () => {
    const mette = await mitidParent(METTE);
    const emma = (await mette.send('GET', '/api/patient/acting-for'))
      .json<{ children: { childId: string; name: string }[] }>()
      .children.find((c) => c.name === 'Emma Hansen')!;
    await mette.send('PUT', '/api/patient/acting-for', { childId: emma.childId });
    const settings = (await secretaryA.get(`/api/clinics/${clinicA.id}/settings`)).json<Record<string, unknown>>();
    expect(settings.parentsMayActForChildren).toBe(true);
    const { name: _n, slug: _s, autoApprovalAllowed: _a, ...input } = settings;
    expect((await secretaryA.put(`/api/clinics/${clinicA.id}/settings`, { ...input, parentsMayActForChildren: false })).statusCode).toBe(200);
    const refused = await mette.send('GET', `/api/patient/clinics/${clinicA.id}/booking`);
    expect(refused.json().error.code).toBe('parent_access_off');
    expect((await secretaryA.put(`/api/clinics/${clinicA.id}/settings`, { ...input, parentsMayActForChildren: true })).statusCode).toBe(200);
    expect((await mette.send('GET', `/api/patient/clinics/${clinicA.id}/booking`)).statusCode).toBe(200);

    const eyes = await buildClinic(t.ctx.db, { specialty: 'speciallaege' });
    const eyeStaff = await staffAt(eyes.id);
    const child = await buildPatient(t.ctx.db, eyes.id, { cpr: EMMA, given_name: 'Emma', family_name: 'Hansen' });
    expect((await grant(eyeStaff, eyes.id, child.id)).json().error.code).toBe('parent_access_off');
  });

  it('ends access at the 15th birthday by the clock: 14 the day before, 15 on the day', async () => {
    // Mette logs in ten minutes before midnight (UTC) on the day before Frida turns 15.
    t.clock.advance(hours(15) + minutes(50));
    const mette = await mitidParent(METTE);
    const frida = (await mette.send('GET', '/api/patient/acting-for'))
      .json<{ children: { childId: string; name: string; age: number }[] }>()
      .children.find((c) => c.name === 'Frida Hansen')!;
    expect(frida.age).toBe(14);
    await mette.send('PUT', '/api/patient/acting-for', { childId: frida.childId });
    expect((await mette.send('GET', `/api/patient/clinics/${clinicA.id}/booking`)).statusCode).toBe(200);
    t.clock.advance(minutes(20));
    const refused = await mette.send('GET', `/api/patient/clinics/${clinicA.id}/booking`);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatchObject({ code: 'child_turned_15', message: { da: expect.stringContaining('Frida er fyldt 15 og bestemmer nu selv') } });
    const listed = (await mette.send('GET', '/api/patient/acting-for')).json<{ children: { name: string; status: string }[] }>().children;
    expect(listed.find((c) => c.name === 'Frida Hansen')?.status).toBe('turned_15');
    expect((await mette.send('PUT', '/api/patient/acting-for', { childId: frida.childId })).json().error.code).toBe('child_turned_15');
  });
});
