import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hours, minutes } from '../src/clock.ts';
import { importCustodyCsv } from '../src/features/custody/import-custody.ts';
import type { TestPerson } from '../src/features/mitid/test-broker.ts';
import { backends } from './helpers/databases.ts';
import { buildPatient } from './helpers/factories.ts';
import { MitidBrowser } from './helpers/mitid-browser.ts';
import { bodyFor, type OpenApiDoc, type Operation } from './helpers/openapi-routes.ts';
import { activate, clinicWithSecretary, linkToken, uniqueEmail } from './helpers/portal.ts';
import { startTestApp, type StaffClient, type TestApp } from './helpers/test-app.ts';

/**
 * A child's data is never seen or changed by anyone but its custody holders: every patient route of
 * the OpenAPI document, tried by a stranger (another adult, also a patient of the child's clinic),
 * an ex-custodian (custody removed after switching to the child) and a parent whose child turned 15
 * (after switching). A patient route the matrix does not know fails it, so a new one must be placed.
 */

const person = (cpr: string, name: string, birthDate: string): TestPerson => ({ cpr, name, birthDate, loa: 'Substantial' });
const METTE = person('0304851236', 'Mette Hansen', '1985-04-03');
const JONAS = person('1911831237', 'Jonas Hansen', '1983-11-19');
const STRANGER = person('1111801235', 'Fremmed Person', '1980-11-11');
const KAREN = person('2203804562', 'Karen Holm', '1980-03-22');
const EMMA = '1207174028'; // 12 July 2017
const FRIDA = '0601114026'; // 6 January 2011: 15 on the day after the test clock's start

/** Routes about the logged-in person only, which take no clinic or id: their answers must still hold none of a child's data. */
const OWN_ROUTES = new Set([
  'post /api/patient/login',
  'post /api/patient/login/code',
  'get /api/patient/session',
  'post /api/patient/logout',
  'post /api/patient/activation/inspect',
  'post /api/patient/activation',
  'post /api/patient/forgot-password',
  'post /api/patient/password-reset/inspect',
  'post /api/patient/password-reset',
  'get /api/patient/me',
  'delete /api/patient/me',
  'get /api/patient/requests',
  'put /api/patient/me/phone',
  'post /api/patient/me/email',
  'post /api/patient/confirm-email',
  'get /api/patient/my-log',
  'get /api/patient/acting-for',
  'put /api/patient/acting-for', // tried below with the child's id
  'post /api/patient/child-access-requests', // custody is asked of the source: see parent-request.test.ts
  'get /api/patient/export', // "Hent mine data": the login's own data
  'post /api/patient/export',
  'get /api/patient/export/{exportId}/download', // an export of the login's own: a child has no login, so no export
  // Fuldmagter between adults (their own matrix: src/features/fuldmagt/fuldmagt-matrix.test.ts); a child neither gives nor receives one.
  'get /api/patient/fuldmagter',
  'post /api/patient/fuldmagter',
  'post /api/patient/fuldmagter/{fuldmagtId}/confirm',
  'post /api/patient/fuldmagter/{fuldmagtId}/revoke',
  'post /api/patient/fuldmagter/{fuldmagtId}/accept',
  'post /api/patient/fuldmagter/{fuldmagtId}/decline',
]);
/** What the matrix reads of these without side effects for every attacker. */
const OWN_READS = [
  '/api/patient/session',
  '/api/patient/me',
  '/api/patient/requests',
  '/api/patient/my-log',
  '/api/patient/acting-for',
  '/api/patient/fuldmagter',
  '/api/patient/export',
];

interface ChildData {
  cpr: string;
  /** A value for every path parameter of the clinic routes: the child's own rows. */
  ids: Record<string, string>;
  /** Strings only the child's data holds (content, ids, CPR): none may appear in an attacker's answer. */
  markers: string[];
}

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

describe.each(backends)('a child’s data over every patient route on %s', (backend) => {
  let t: TestApp;
  let clinicId: string;
  let secretary: StaffClient;
  let doc: OpenApiDoc;

  /** A login at the child's clinic (Opret by its secretary, activated), then a MitID session. */
  const adultAtClinic = async (who: TestPerson) => {
    const record = await buildPatient(t.ctx.db, clinicId, { cpr: who.cpr });
    const email = uniqueEmail();
    const created = await secretary.post(`/api/clinics/${clinicId}/patients/${record.id}/portal`, {
      email,
      rights: ['econsultation', 'booking', 'renewal'],
      wantsElectronicReply: false,
    });
    expect(created.statusCode, created.body).toBe(201);
    expect((await activate(t, linkToken((await t.mailTo(email)).text, '/portal/activate')!)).statusCode).toBe(200);
    const browser = new MitidBrowser(t.app);
    expect(await browser.login({ purpose: 'login' }, who)).toBe('/portal');
    const csrf = (await browser.app_('GET', '/api/patient/session')).json<{ csrfToken: string }>().csrfToken;
    const send = (method: string, url: string, body?: unknown) =>
      browser.app_(method.toUpperCase() as 'GET', url, body, method.toUpperCase() === 'GET' ? {} : { 'x-csrf-token': csrf });
    const sessionId = async () =>
      (
        await t.ctx.db
          .selectFrom('patient_sessions as s')
          .innerJoin('patient_accounts as a', 'a.id', 's.account_id')
          .select('s.id')
          .where('a.cpr', '=', who.cpr)
          .orderBy('s.created_at', 'desc')
          .executeTakeFirstOrThrow()
      ).id;
    return { send, sessionId };
  };
  type Adult = Awaited<ReturnType<typeof adultAtClinic>>;

  const childIdOf = async (parent: Adult, name: string) =>
    (await parent.send('GET', '/api/patient/acting-for')).json<{ children: { childId: string; name: string }[] }>().children.find((c) => c.name === name)
      ?.childId;

  /** The parent, acting for the child, writes with an attachment, books and asks for a renewal: the child's data. */
  const childData = async (parent: Adult, cpr: string, name: string, tag: string): Promise<ChildData> => {
    const child = await buildPatient(t.ctx.db, clinicId, { cpr, given_name: name, family_name: 'Hansen' });
    expect(
      (
        await secretary.put(`/api/clinics/${clinicId}/patients/${child.id}/parent-access`, {
          rights: ['econsultation', 'booking', 'renewal'],
          wantsElectronicReply: false,
        })
      ).statusCode,
    ).toBe(200);
    const childId = await childIdOf(parent, `${name} Hansen`);
    expect((await parent.send('PUT', '/api/patient/acting-for', { childId })).statusCode).toBe(200);
    const base = `/api/patient/clinics/${clinicId}`;
    const thread = await parent.send('POST', `${base}/econsultations`, {
      subject: `${tag}-SUBJECT`,
      body: `${tag}-SECRET`,
      attachments: [{ filename: `${tag}-scan.png`, data: PNG }],
    });
    expect(thread.statusCode, thread.body).toBe(201);
    const threadId = thread.json<{ id: string }>().id;
    const shown = (await parent.send('GET', `${base}/econsultations/${threadId}`)).json<{ messages: { attachments: { id: string }[] }[] }>();
    const attachmentId = shown.messages[0]!.attachments[0]!.id;
    const slot = await secretary.post(`/api/clinics/${clinicId}/slots`, {
      practitioner: 'Læge Holm',
      startsAt: new Date(t.clock.now().getTime() + hours(72 + Math.random() * 24)).toISOString(),
      durationMinutes: 15,
      kind: `${tag}-KIND`,
    });
    const booked = await parent.send('POST', `${base}/appointments`, { slotId: slot.json<{ id: string }>().id });
    expect(booked.statusCode, booked.body).toBe(201);
    const medication = await t.ctx.db
      .insertInto('medications')
      .values({ clinic_id: clinicId, patient_id: child.id, name: `${tag}-MED`, dosage: '1 dagligt', renewable_online: true, created_at: t.clock.now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    const renewal = await parent.send('POST', `${base}/medications/${medication.id}/renewals`);
    expect(renewal.statusCode, renewal.body).toBe(201);
    const appointmentId = booked.json<{ id: string }>().id;
    return {
      cpr,
      ids: { clinicId, threadId, attachmentId, appointmentId, medicationId: medication.id },
      markers: [
        cpr,
        `${cpr.slice(0, 6)}-${cpr.slice(6)}`,
        `${tag}-SUBJECT`,
        `${tag}-SECRET`,
        `${tag}-scan`,
        `${tag}-MED`,
        threadId,
        attachmentId,
        appointmentId,
        renewal.json<{ id: string }>().id,
      ],
    };
  };

  /** Everything of the child's that a request could change, to compare before and after. */
  const snapshot = (cpr: string) =>
    t.ctx.db
      .selectFrom('patients as p')
      .where('p.cpr', '=', cpr)
      .where('p.clinic_id', '=', clinicId)
      .select((eb) => [
        eb
          .selectFrom('econsultation_threads as th')
          .innerJoin('econsultation_messages as m', 'm.thread_id', 'th.id')
          .whereRef('th.patient_id', '=', 'p.id')
          .select(eb.fn.countAll<number>().as('n'))
          .as('messages'),
        eb.selectFrom('econsultation_threads as th').whereRef('th.patient_id', '=', 'p.id').select(eb.fn.countAll<number>().as('n')).as('threads'),
        eb
          .selectFrom('appointments as a')
          .whereRef('a.patient_id', '=', 'p.id')
          .where('a.cancelled_at', 'is', null)
          .select(eb.fn.countAll<number>().as('n'))
          .as('appointments'),
        eb
          .selectFrom('renewal_requests as r')
          .innerJoin('medications as md', 'md.id', 'r.medication_id')
          .whereRef('md.patient_id', '=', 'p.id')
          .select(eb.fn.countAll<number>().as('n'))
          .as('renewals'),
      ])
      .executeTakeFirstOrThrow();

  let emma: ChildData;
  let frida: ChildData;
  let stranger: Adult;
  let exCustodian: Adult;
  let turned15: Adult;

  beforeAll(async () => {
    t = await startTestApp(backend, {}, undefined, { mitid: true });
    // Ten minutes before midnight (UTC) on the day before Frida turns 15.
    t.clock.advance(hours(15) + minutes(50));
    const setup = await clinicWithSecretary(t, { name: 'Lægerne Søndergade' });
    clinicId = setup.clinic.id;
    secretary = setup.secretary;
    await importCustodyCsv(
      t.ctx.db,
      `child_cpr,holder_cpr\n${EMMA},${METTE.cpr}\n${EMMA},${JONAS.cpr}\n${FRIDA},${KAREN.cpr}\n`,
      { type: 'cli', id: null, ip: null },
      t.clock.now(),
    );
    const mette = await adultAtClinic(METTE);
    exCustodian = await adultAtClinic(JONAS);
    turned15 = await adultAtClinic(KAREN);
    stranger = await adultAtClinic(STRANGER);
    emma = await childData(mette, EMMA, 'Emma', 'EMMA7Q');
    frida = await childData(turned15, FRIDA, 'Frida', 'FRIDA7Q');
    // Jonas switches to Emma while he holds custody; then the register no longer lists him.
    expect((await exCustodian.send('PUT', '/api/patient/acting-for', { childId: await childIdOf(exCustodian, 'Emma Hansen') })).statusCode).toBe(200);
    await importCustodyCsv(t.ctx.db, `child_cpr,holder_cpr\n${EMMA},${METTE.cpr}\n`, { type: 'cli', id: null, ip: null }, t.clock.now());
    // Midnight passes: Frida is 15.
    t.clock.advance(minutes(20));
    doc = (await t.app.inject({ url: '/api/docs/json' })).json<OpenApiDoc>();
  }, 120_000);
  afterAll(() => t.close());

  const patientRoutes = () =>
    Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/patient/'))
      .flatMap(([path, operations]) => Object.entries(operations).map(([method, operation]) => ({ method, path, operation })));
  const clinicRoutes = () => patientRoutes().filter((r) => r.path.startsWith('/api/patient/clinics/{clinicId}/'));
  const fill = (path: string, child: ChildData) => path.replace(/\{(\w+)\}/g, (_, name: string) => child.ids[name] ?? `{${name}}`);
  const expectNoChildData = (body: string, child: ChildData, what: string) => {
    for (const marker of child.markers) expect(body.includes(marker), `${what} shows "${marker}": ${body.slice(0, 300)}`).toBe(false);
  };
  const tryAll = async (who: Adult, child: ChildData, routes: { method: string; path: string; operation: Operation }[]) => {
    const answers: { route: string; status: number; code: string | undefined }[] = [];
    for (const { method, path, operation } of routes) {
      const response = await who.send(method, fill(path, child), method === 'get' ? undefined : bodyFor(operation));
      expectNoChildData(response.body, child, `${method} ${path}`);
      answers.push({
        route: `${method} ${path}`,
        status: response.statusCode,
        code: response.statusCode >= 400 ? response.json<{ error: { code: string } }>().error.code : undefined,
      });
    }
    return answers;
  };

  it('knows every patient route: each takes the clinic and ids it can fill with the child’s, or is about the logged-in person only', () => {
    const unplaced = patientRoutes()
      .map(({ method, path }) => ({ route: `${method} ${path}`, path }))
      .filter(({ route, path }) => {
        if (OWN_ROUTES.has(route)) return false;
        const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
        return !path.startsWith('/api/patient/clinics/{clinicId}/') || params.some((p) => !(p in emma.ids));
      })
      .map(({ route }) => route);
    expect(unplaced, 'place a new patient route in test/child-data-matrix.test.ts (a child id for its parameters, or OWN_ROUTES)').toEqual([]);
    expect(clinicRoutes().length).toBeGreaterThanOrEqual(11);
  });

  it('an ex-custodian still switched to the child is refused on every clinic route (403 custody_ended) and changes nothing', async () => {
    const before = await snapshot(EMMA);
    const answers = await tryAll(exCustodian, emma, clinicRoutes());
    expect(answers.filter((a) => a.status !== 403 || a.code !== 'custody_ended')).toEqual([]);
    expect(await snapshot(EMMA)).toEqual(before);
  });

  it('a parent whose child turned 15 is refused on every clinic route (403 child_turned_15) and changes nothing', async () => {
    const before = await snapshot(FRIDA);
    const answers = await tryAll(turned15, frida, clinicRoutes());
    expect(answers.filter((a) => a.status !== 403 || a.code !== 'child_turned_15')).toEqual([]);
    expect(await snapshot(FRIDA)).toEqual(before);
  });

  it('a stranger cannot switch to the child, and on their own membership at the child’s clinic gets 404 for every child id', async () => {
    const emmaAccess = await t.ctx.db
      .selectFrom('child_access as x')
      .innerJoin('patients as p', 'p.id', 'x.patient_id')
      .select('x.id')
      .where('p.cpr', '=', EMMA)
      .executeTakeFirstOrThrow();
    const switched = await stranger.send('PUT', '/api/patient/acting-for', { childId: emmaAccess.id });
    expect([switched.statusCode, switched.json().error.code]).toEqual([404, 'not_found']);
    const before = await snapshot(EMMA);
    const withIds = clinicRoutes().filter((r) => r.path.replace('{clinicId}', '').includes('{'));
    const answers = await tryAll(stranger, emma, withIds);
    expect(answers.filter((a) => a.status !== 404)).toEqual([]);
    // The clinic-wide routes answer the stranger's own data (lists, new threads of their own): never the child's.
    await tryAll(
      stranger,
      emma,
      clinicRoutes().filter((r) => !withIds.includes(r)),
    );
    expect(await snapshot(EMMA)).toEqual(before);
  });

  it('a stranger whose session claims to act for the child (as if switching had a bug) is refused on every clinic route: custody is checked per request', async () => {
    await t.ctx.db
      .updateTable('patient_sessions')
      .set({ acting_for_cpr: EMMA })
      .where('id', '=', await stranger.sessionId())
      .execute();
    const before = await snapshot(EMMA);
    const answers = await tryAll(stranger, emma, clinicRoutes());
    expect(answers.filter((a) => a.status !== 403 || a.code !== 'custody_ended')).toEqual([]);
    expect(await snapshot(EMMA)).toEqual(before);
    await t.ctx.db
      .updateTable('patient_sessions')
      .set({ acting_for_cpr: null })
      .where('id', '=', await stranger.sessionId())
      .execute();
  });

  it('the person’s own pages show none of the child’s data to any of the three, and switching to the child is refused', async () => {
    for (const [who, child] of [
      [stranger, emma],
      [exCustodian, emma],
      [turned15, frida],
    ] as const) {
      for (const url of OWN_READS) expectNoChildData((await who.send('GET', url)).body, child, `GET ${url}`);
    }
    expect(await childIdOf(exCustodian, 'Emma Hansen')).toBeUndefined();
    const fridaId = await childIdOf(turned15, 'Frida Hansen');
    const refused = await turned15.send('PUT', '/api/patient/acting-for', { childId: fridaId });
    expect([refused.statusCode, refused.json().error.code]).toEqual([403, 'child_turned_15']);
  });
});
