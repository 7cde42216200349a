import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/databases.ts';
import { buildClinic } from '../../../test/helpers/factories.ts';
import { MitidBrowser } from '../../../test/helpers/mitid-browser.ts';
import { activatedPatient, patientLogin } from '../../../test/helpers/portal.ts';
import { StaffClient, startTestApp, type TestApp } from '../../../test/helpers/test-app.ts';
import { importCustodyCsv } from '../custody/import-custody.ts';
import type { TestPerson } from '../mitid/test-broker.ts';

const METTE: TestPerson = { cpr: '0304851236', name: 'Mette Hansen', birthDate: '1985-04-03', loa: 'Substantial' };
const JONAS: TestPerson = { cpr: '1911831237', name: 'Jonas Hansen', birthDate: '1983-11-19', loa: 'High' };
const STRANGER: TestPerson = { cpr: '1111801235', name: 'Fremmed Person', birthDate: '1980-11-11', loa: 'Substantial' };
const EMMA = '1207174028'; // 12 July 2017
const ALMA = '0503134018'; // 5 March 2013
const VIGGO = '0101104011'; // 1 January 2010: 15 or older by the test clock

interface OpenRow {
  id: string;
  name: string;
  email: string;
  reason: string;
  identityVerified: string;
  requestedByParent: string | null;
  knownPatient: unknown;
}

describe.each(backends)('a parent asks a clinic for a child’s Forældreadgang through Loginbestillinger on %s', (backend) => {
  let t: TestApp;
  const parents = new Map<string, Awaited<ReturnType<typeof activatedPatient>>>();

  /** The person's login at a clinic of their own (with a secretary), then logged in with MitID. */
  const mitidParent = async (who: TestPerson) => {
    const own = parents.get(who.cpr) ?? (await activatedPatient(t, { cpr: who.cpr }));
    parents.set(who.cpr, own);
    const browser = new MitidBrowser(t.app);
    expect(await browser.login({ purpose: 'login' }, who)).toBe('/portal');
    const csrf = (await browser.app_('GET', '/api/patient/session')).json<{ csrfToken: string }>().csrfToken;
    const ask = (body: { clinicId: string; childCpr: string; childName: string }) =>
      browser.app_('POST', '/api/patient/child-access-requests', body, { 'x-csrf-token': csrf });
    const get = (url: string) => browser.app_('GET', url);
    const put = (url: string, body: unknown) => browser.app_('PUT', url, body, { 'x-csrf-token': csrf });
    return { ...own, ask, get, put };
  };
  const queue = async (staff: StaffClient, query = '') => (await staff.get(`/api/login-requests${query}`)).json<{ open?: OpenRow[]; handled?: OpenRow[] }>();

  beforeAll(async () => {
    t = await startTestApp(backend, {}, undefined, { mitid: true });
    await importCustodyCsv(
      t.ctx.db,
      `child_cpr,holder_cpr\n${EMMA},${METTE.cpr}\n${EMMA},${JONAS.cpr}\n${ALMA},${METTE.cpr}\n${VIGGO},${METTE.cpr}\n`,
      { type: 'cli', id: null, ip: null },
      t.clock.now(),
    );
  });
  afterAll(() => t.close());

  it('lands in the queue as "anmodet af forælder" with the parent’s name; approving gives the child Forældreadgang, not a login', async () => {
    const mette = await mitidParent(METTE);
    const asked = await mette.ask({ clinicId: mette.clinic.id, childCpr: '120717-4028', childName: 'Emma Hansen' });
    expect(asked.statusCode, asked.body).toBe(200);
    expect(asked.json()).toMatchObject({ alreadyOpen: false });
    // Asking again (or the other parent asking) answers the open request.
    expect((await mette.ask({ clinicId: mette.clinic.id, childCpr: EMMA, childName: 'Emma Hansen' })).json()).toEqual({ ...asked.json(), alreadyOpen: true });

    // The parent sees it among her requests, named by the child.
    const mine = (await mette.get('/api/patient/requests')).json<{ requests: { clinicName: string; status: string; forChild: string | null }[] }>();
    expect(mine.requests).toContainEqual(expect.objectContaining({ clinicName: mette.clinic.name, status: 'open', forChild: 'Emma Hansen' }));
    const [row] = (await queue(mette.secretary)).open ?? [];
    expect(row).toMatchObject({
      name: 'Emma Hansen',
      email: mette.email,
      reason: 'parent_request',
      identityVerified: 'mitid',
      requestedByParent: 'Mette Hansen',
      knownPatient: null,
    });
    const audited = await t.ctx.db
      .selectFrom('audit_events')
      .select(['actor_id', 'details'])
      .where('action', '=', 'child_access.requested')
      .executeTakeFirstOrThrow();
    expect(audited).toMatchObject({ details: { requestId: row!.id } });

    const approved = await mette.secretary.post(`/api/login-requests/${row!.id}/approve`, { rights: ['booking', 'renewal'] });
    expect(approved.statusCode, approved.body).toBe(200);
    const { patientId } = approved.json<{ patientId: string }>();
    const access = await t.ctx.db
      .selectFrom('child_access')
      .select(['rights', 'holder_cprs', 'requested_by_account_id'])
      .where('patient_id', '=', patientId)
      .where('ended_at', 'is', null)
      .executeTakeFirstOrThrow();
    expect(access.rights).toEqual(['booking', 'renewal']);
    expect(access.holder_cprs.sort()).toEqual([JONAS.cpr, METTE.cpr].sort());
    expect(access.requested_by_account_id).not.toBeNull();
    const record = await t.ctx.db
      .selectFrom('patients')
      .select(['cpr', 'given_name', 'family_name', 'email'])
      .where('id', '=', patientId)
      .executeTakeFirstOrThrow();
    expect(record).toEqual({ cpr: EMMA, given_name: 'Emma', family_name: 'Hansen', email: null });
    expect(await t.ctx.db.selectFrom('patient_accounts').select('id').where('cpr', '=', EMMA).execute()).toHaveLength(0);
    expect((await t.mailTo(mette.email)).subject).toContain(`Du har fået adgang hos ${mette.clinic.name}`);
    expect((await queue(mette.secretary, '?status=handled')).handled?.[0]).toMatchObject({ requestedByParent: 'Mette Hansen', outcome: 'approved' });

    // The parent now finds Emma and may act for her at that clinic.
    const listed = (await mette.get('/api/patient/acting-for')).json<{
      children: { childId: string; name: string; clinics: { id: string; rights: string[] }[] }[];
    }>();
    const emma = listed.children.find((c) => c.name === 'Emma Hansen');
    expect(emma?.clinics).toEqual([expect.objectContaining({ id: mette.clinic.id, rights: ['booking', 'renewal'] })]);
    expect((await mette.put('/api/patient/acting-for', { childId: emma!.childId })).statusCode).toBe(200);
    expect((await mette.get(`/api/patient/clinics/${mette.clinic.id}/booking`)).statusCode).toBe(200);
    // Staff see that the parent asked for it.
    const form = await mette.secretary.get(`/api/clinics/${mette.clinic.id}/patients/${patientId}/parent-access`);
    expect(form.json()).toMatchObject({ active: true, requestedByParent: true });
  });

  it('rejecting mails the parent who asked, with the reason, and grants nothing', async () => {
    const mette = await mitidParent(METTE);
    const asked = await mette.ask({ clinicId: mette.clinic.id, childCpr: ALMA, childName: 'Alma Hansen' });
    expect(asked.statusCode, asked.body).toBe(200);
    const { requestId } = asked.json<{ requestId: string }>();
    const rejected = await mette.secretary.post(`/api/login-requests/${requestId}/reject`, { reason: 'Alma er ikke tilmeldt klinikken.' });
    expect(rejected.statusCode).toBe(200);
    const mail = await t.mailTo(mette.email);
    expect(mail.text).toContain('Begrundelse: Alma er ikke tilmeldt klinikken.');
    expect(mail.text).not.toMatch(/\d{6}-?\d{4}/);
    expect(await t.ctx.db.selectFrom('patients').select('id').where('cpr', '=', ALMA).execute()).toHaveLength(0);
    expect(await t.ctx.db.selectFrom('child_access').select('id').where('requested_by_account_id', 'is not', null).execute()).toHaveLength(1);
  });

  it('is refused without MitID, to a non-custodian, at a clinic that is not the parent’s or does not allow it, for a child of 15, and when access exists', async () => {
    const mette = await mitidParent(METTE);
    const codes = async (body: { clinicId: string; childCpr: string; childName: string }, asker = mette) => {
      const answer = await asker.ask(body);
      return [answer.statusCode, answer.json<{ error: { code: string } }>().error.code];
    };
    const stranger = await mitidParent(STRANGER);
    expect(await codes({ clinicId: stranger.clinic.id, childCpr: ALMA, childName: 'Alma Hansen' }, stranger)).toEqual([403, 'custody_ended']);
    const elsewhere = await buildClinic(t.ctx.db);
    expect(await codes({ clinicId: elsewhere.id, childCpr: ALMA, childName: 'Alma Hansen' })).toEqual([404, 'not_found']);
    expect(await codes({ clinicId: mette.clinic.id, childCpr: VIGGO, childName: 'Viggo Hansen' })).toEqual([400, 'child_not_under_15']);
    expect(await codes({ clinicId: mette.clinic.id, childCpr: EMMA, childName: 'Emma Hansen' })).toEqual([409, 'parent_access_exists']);
    await t.ctx.db.updateTable('clinics').set({ parents_may_act_for_children: false }).where('id', '=', mette.clinic.id).execute();
    expect(await codes({ clinicId: mette.clinic.id, childCpr: ALMA, childName: 'Alma Hansen' })).toEqual([403, 'parent_access_off']);
    await t.ctx.db.updateTable('clinics').set({ parents_may_act_for_children: null }).where('id', '=', mette.clinic.id).execute();

    // A password login (no MitID) may not ask.
    const withPassword = await patientLogin(t, METTE.cpr, mette.email);
    const refused = await withPassword.post('/api/patient/child-access-requests', { clinicId: mette.clinic.id, childCpr: ALMA, childName: 'Alma Hansen' });
    expect([refused.statusCode, refused.json().error.code]).toEqual([403, 'mitid_required']);
    expect(await t.ctx.db.selectFrom('login_requests').select('id').where('status', '=', 'open').execute()).toHaveLength(0);
  });
});
