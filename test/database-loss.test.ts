import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, testServerUrl } from './helpers/databases.ts';
import { CuttableProxy } from './helpers/cuttable-proxy.ts';
import { clinicWithSecretary, uniqueEmail } from './helpers/portal.ts';
import { startTestApp, type StaffClient, type TestApp } from './helpers/test-app.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Short bounds so the test is quick; production uses REQUEST_TIMEOUTS (3-5 s). */
const TIMEOUTS = { acquireMs: 1000, statementMs: 1500, lockMs: 1000, idleInTransactionMs: 10_000 };

describe.each(backends)('the app when it loses its database (%s)', (backend) => {
  let t: TestApp;
  let proxy: CuttableProxy;
  let secretary: StaffClient;
  let clinicId: string;

  beforeAll(async () => {
    proxy = new CuttableProxy(CuttableProxy.upstreamOf(testServerUrl()));
    await proxy.listen();
    t = await startTestApp(backend, {}, undefined, { appDatabase: { url: (direct) => proxy.urlFor(direct), timeouts: TIMEOUTS } });
    const setup = await clinicWithSecretary(t);
    secretary = setup.secretary;
    clinicId = setup.clinic.id;
  });
  afterAll(async () => {
    proxy.restore();
    await t.close();
    await proxy.close();
  });

  /** A fresh patient record and an Opret for it: several rows, an audit row and a mail in one transaction. */
  const opretNewPatient = async () => {
    const { buildPatient } = await import('./helpers/factories.ts');
    const patient = await buildPatient(t.database.db, clinicId);
    const email = uniqueEmail();
    const response = await secretary.post(`/api/clinics/${clinicId}/patients/${patient.id}/portal`, {
      email,
      rights: ['booking'],
      wantsElectronicReply: false,
    });
    return { patient, email, response };
  };

  const writtenFor = async (patientId: string, email: string) => ({
    memberships: (await t.database.db.selectFrom('portal_memberships').select('id').where('patient_id', '=', patientId).execute()).length,
    mails: (await t.database.db.selectFrom('outbox_mails').select('id').where('to_address', '=', email).execute()).length,
    audits: (await t.database.db.selectFrom('audit_events').select('id').where('patient_id', '=', patientId).execute()).length,
  });

  it('answers 503 database_unavailable while the database is gone, stays up, and serves again by itself', async () => {
    const before = await opretNewPatient();
    expect(before.response.statusCode).toBe(201);

    proxy.cut();
    const during = await opretNewPatient();
    expect(during.response.statusCode).toBe(503);
    const body = during.response.json();
    expect(body.error.code).toBe('database_unavailable');
    expect(body.error.message.da).toContain('database');
    expect(body.error.message.en).toContain('database');
    expect(JSON.stringify(body)).not.toMatch(/ECONN|stack|at .*\.js/);
    expect(during.response.headers['retry-after']).toBe('5');
    expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(503);
    expect((await secretary.get(`/api/clinics/${clinicId}/patients`)).statusCode).toBe(503);

    proxy.restore();
    let after;
    for (let i = 0; i < 50; i++) {
      after = await opretNewPatient();
      if (after.response.statusCode === 201) break;
      await sleep(200);
    }
    expect(after?.response.statusCode).toBe(201);
    expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);

    // Nothing half-written: the change tried during the outage left no row at all.
    expect(await writtenFor(during.patient.id, during.email)).toEqual({ memberships: 0, mails: 0, audits: 0 });
    if (!after) throw new Error('no attempt after the restore');
    expect(await writtenFor(after.patient.id, after.email)).toMatchObject({ memberships: 1, mails: 1 });
  });

  it('answers 503 within its bounds when the database freezes, instead of hanging', async () => {
    proxy.freeze();
    try {
      // Both settle while the database is still frozen: a hang would run into the test's timeout.
      const [write, health] = await Promise.all([opretNewPatient(), t.app.inject({ method: 'GET', url: '/health' })]);
      expect(write.response.statusCode).toBe(503);
      expect(write.response.json().error.code).toBe('database_unavailable');
      expect(health.statusCode).toBe(503);
    } finally {
      proxy.restore();
    }
    let status = 0;
    for (let i = 0; i < 50 && status !== 201; i++) {
      status = (await opretNewPatient()).response.statusCode;
      if (status !== 201) await sleep(200);
    }
    expect(status).toBe(201);
  });
});
