import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hours } from '../../clock.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { buildPatient } from '../../../test/helpers/factories.ts';
import { MitidBrowser } from '../../../test/helpers/mitid-browser.ts';
import { activatedPatient } from '../../../test/helpers/portal.ts';
import { startTestApp, type TestApp } from '../../../test/helpers/test-app.ts';
import { importCustodyCsv } from '../custody/import-custody.ts';
import type { TestPerson } from '../mitid/test-broker.ts';
import { presentEntry } from './my-log.ts';
import { myLogPage } from './my-log.repository.ts';

const METTE: TestPerson = { cpr: '0304851236', name: 'Mette Hansen', birthDate: '1985-04-03', loa: 'Substantial' };
const EMMA = '1207174028';

interface Entry {
  who: { name: string } | null;
  text: { da: string };
}
const line = (e: Entry) => `${e.who?.name ?? 'Du'}: ${e.text.da}`;

describe.each(backends)('Min log of a child and of the parent acting for it (%s)', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend, {}, undefined, { mitid: true });
  });
  afterAll(() => t.close());

  it('lists Forældreadgang and what the parent did for the child on the child’s record; the parent’s own log shows the switch', async () => {
    const parent = await activatedPatient(t, { cpr: METTE.cpr });
    const clinic = parent.clinic;
    const child = await buildPatient(t.ctx.db, clinic.id, { cpr: EMMA, given_name: 'Emma', family_name: 'Hansen' });
    await importCustodyCsv(t.ctx.db, `child_cpr,holder_cpr\n${EMMA},${METTE.cpr}\n`, { type: 'cli', id: null, ip: null }, t.clock.now());
    const form = `/api/clinics/${clinic.id}/patients/${child.id}/parent-access`;
    expect((await parent.secretary.put(form, { rights: ['booking'], wantsElectronicReply: false })).statusCode).toBe(200);
    expect((await parent.secretary.put(form, { rights: ['booking', 'econsultation'], wantsElectronicReply: false })).statusCode).toBe(200);
    expect((await parent.secretary.get(form)).statusCode).toBe(200);

    const browser = new MitidBrowser(t.app);
    expect(await browser.login({ purpose: 'login' }, METTE)).toBe('/portal');
    const csrf = { 'x-csrf-token': (await browser.app_('GET', '/api/patient/session')).json<{ csrfToken: string }>().csrfToken };
    const children = (await browser.app_('GET', '/api/patient/acting-for')).json<{ children: { childId: string }[] }>().children;
    expect((await browser.app_('PUT', '/api/patient/acting-for', { childId: children[0]!.childId }, csrf)).statusCode).toBe(200);
    const slot = await parent.secretary.post(`/api/clinics/${clinic.id}/slots`, {
      practitioner: 'Læge Holm',
      startsAt: new Date(t.clock.now().getTime() + hours(72)).toISOString(),
      durationMinutes: 15,
      kind: 'Konsultation',
    });
    const base = `/api/patient/clinics/${clinic.id}`;
    expect((await browser.app_('POST', `${base}/appointments`, { slotId: slot.json<{ id: string }>().id }, csrf)).statusCode).toBe(201);
    expect((await browser.app_('POST', `${base}/econsultations`, { subject: 'Feber', body: 'Emma har feber.' }, csrf)).statusCode).toBe(201);
    expect((await parent.secretary.delete(form)).statusCode).toBe(200);

    // The child has no login yet: what its Min log will list, read as the child's (by CPR).
    const childLog = (await myLogPage(t.ctx.db, { accountId: '00000000-0000-4000-8000-000000000000', cpr: EMMA }, undefined, 50)).map((row) =>
      presentEntry(row),
    );
    expect(childLog.map(line)).toEqual([
      'Test Medarbejder: afsluttede dine forældres adgang til at handle for dig',
      "Mette Hansen (mor): skrev i din e-konsultation 'Feber'",
      'Mette Hansen (mor): bookede en tid for dig',
      'Mette Hansen (mor): begyndte at handle for dig',
      'Test Medarbejder: så forældreadgangen til dine oplysninger',
      'Test Medarbejder: ændrede dine forældres adgang til at handle for dig: E-konsultation, E-tidsbestilling',
      'Test Medarbejder: gav dine forældre adgang til at handle for dig: E-tidsbestilling',
    ]);

    // The parent's own Min log: the switch, and none of the child's entries.
    await browser.app_('PUT', '/api/patient/acting-for', { childId: null }, csrf);
    const own = (await browser.app_('GET', '/api/patient/my-log')).json<{ entries: Entry[] }>().entries.map(line);
    expect(own).toContain('Du: Du skiftede til at handle for dit barn');
    expect(own.filter((l) => /for dig|forældreadgang/.test(l))).toEqual([]);
  });
});
