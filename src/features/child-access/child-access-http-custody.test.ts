import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { custodyServer, type CustodyAnswer } from '../../../test/helpers/custody-server.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { buildClinic, buildPatient, buildStaff } from '../../../test/helpers/factories.ts';
import { MitidBrowser } from '../../../test/helpers/mitid-browser.ts';
import { activatedPatient } from '../../../test/helpers/portal.ts';
import { StaffClient, startTestApp, type TestApp } from '../../../test/helpers/test-app.ts';
import type { TestPerson } from '../mitid/test-broker.ts';
import { HttpCustodyRegistry } from '../custody/custody-registry.ts';

const METTE: TestPerson = { cpr: '0304851236', name: 'Mette Hansen', birthDate: '1985-04-03', loa: 'Substantial' };
const EMMA = '1207174028';

// The same flow as child-access.test.ts, with custody from the CPR register's HTTP contract (a local
// server of it) instead of the imported table: what the register answers now decides each request.
describe.each(backends)('a parent acting for a child with custody from the HTTP register, on %s', (backend) => {
  let t: TestApp;
  let register: Server;
  const answers: Record<string, CustodyAnswer> = {};
  let clinicId: string;

  beforeAll(async () => {
    const started = await custodyServer(answers);
    register = started.server;
    t = await startTestApp(backend, {}, undefined, { mitid: true, custody: new HttpCustodyRegistry(started.url, 500) });
    clinicId = (await buildClinic(t.ctx.db, { name: 'Lægerne Søndergade' })).id;
    const emma = await buildPatient(t.ctx.db, clinicId, { cpr: EMMA, given_name: 'Emma', family_name: 'Hansen' });
    answers[EMMA] = { status: 200, body: JSON.stringify({ indehavere: [METTE.cpr] }) };
    const staff = await buildStaff(t.ctx.db, { clinics: [{ id: clinicId, role: 'admin' }] });
    const secretary = new StaffClient(t.app);
    await secretary.login(staff.email, staff.password);
    const granted = await secretary.put(`/api/clinics/${clinicId}/patients/${emma.id}/parent-access`, {
      rights: ['econsultation'],
      wantsElectronicReply: false,
    });
    expect(granted.statusCode, granted.body).toBe(200);
    await activatedPatient(t, { cpr: METTE.cpr });
  });
  afterAll(async () => {
    await t.close();
    await new Promise<void>((resolve) => register.close(() => resolve()));
  });

  it('acts while the register names the parent; a register that fails grants nothing and says so; a changed answer ends access', async () => {
    const browser = new MitidBrowser(t.app);
    expect(await browser.login({ purpose: 'login' }, METTE)).toBe('/portal');
    const csrf = (await browser.app_('GET', '/api/patient/session')).json<{ csrfToken: string }>().csrfToken;
    const send = (method: 'GET' | 'PUT', url: string, body?: unknown) => browser.app_(method, url, body, method === 'GET' ? {} : { 'x-csrf-token': csrf });
    const children = (await send('GET', '/api/patient/acting-for')).json<{ children: { childId: string; status: string }[] }>().children;
    expect(children.map((c) => c.status)).toEqual(['available']);
    expect((await send('PUT', '/api/patient/acting-for', { childId: children[0]!.childId })).statusCode).toBe(200);
    const threads = `/api/patient/clinics/${clinicId}/econsultations`;
    expect((await send('GET', threads)).statusCode).toBe(200);

    answers[EMMA] = { status: 500, body: 'down' };
    const unavailable = await send('GET', threads);
    expect(unavailable.statusCode).toBe(503);
    expect(unavailable.json().error.code).toBe('custody_unavailable');

    answers[EMMA] = { status: 200, body: '{"indehavere":["1911831237"]}' }; // another holder only
    const ended = await send('GET', threads);
    expect(ended.statusCode).toBe(403);
    expect(ended.json().error.code).toBe('custody_ended');
  });
});
