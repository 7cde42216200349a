import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/databases.ts';
import { buildClinic, buildPatient } from '../../../test/helpers/factories.ts';
import { BearerClient, buildIntegration, tokenFor } from '../../../test/helpers/integrations.ts';
import { startTestApp, type TestApp } from '../../../test/helpers/test-app.ts';

describe.each(backends)('patients kept in sync by the clinic system on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(() => t.close());

  const epjFor = async (scopes = ['patients:read', 'patients:write']) => {
    const clinic = await buildClinic(t.ctx.db);
    const epj = new BearerClient(t, await tokenFor(t, await buildIntegration(t, [clinic.id], { scopes })));
    return { clinic, epj, url: `/api/clinics/${clinic.id}/patients/by-external-id`, bulkUrl: `/api/clinics/${clinic.id}/patients/bulk` };
  };
  const ida = {
    externalId: 'EPJ-1',
    cpr: '010190-1234',
    givenName: 'Ida',
    familyName: 'Holm',
    address: 'Åvej 1',
    postalCode: '8000',
    city: 'Aarhus C',
    phone: '12345678',
    email: 'ida@example.dk',
  };

  it('upserts by externalId idempotently: created, then unchanged with the same answer, then updated', async () => {
    const { clinic, epj, url } = await epjFor();
    const first = await epj.put(url, ida);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ result: 'created', externalId: 'EPJ-1' });
    const { patientId } = first.json<{ patientId: string }>();
    const again = await epj.put(url, ida);
    expect(again.json()).toEqual({ result: 'unchanged', patientId, externalId: 'EPJ-1' });
    const moved = await epj.put(url, { ...ida, address: 'Bøgevej 2' });
    expect(moved.json()).toEqual({ result: 'updated', patientId, externalId: 'EPJ-1' });
    const row = await t.ctx.db.selectFrom('patients').selectAll().where('id', '=', patientId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ clinic_id: clinic.id, cpr: '0101901234', external_id: 'EPJ-1', address: 'Bøgevej 2' });
    const audits = await t.ctx.db.selectFrom('audit_events').select(['action', 'actor_type']).where('patient_id', '=', patientId).orderBy('id').execute();
    expect(audits).toEqual([
      { action: 'patient.created_by_sync', actor_type: 'integration' },
      { action: 'patient.updated_by_sync', actor_type: 'integration' },
    ]);
  });

  it('links a patient the portal knew by CPR, and refuses a CPR held by another externalId', async () => {
    const { clinic, epj, url } = await epjFor();
    const known = await buildPatient(t.ctx.db, clinic.id, { cpr: '0202851235' });
    const linked = await epj.put(url, { ...ida, externalId: 'EPJ-2', cpr: '0202851235' });
    expect(linked.json()).toMatchObject({ result: 'updated', patientId: known.id });
    const clash = await epj.put(url, { ...ida, externalId: 'EPJ-3', cpr: '0202851235' });
    expect(clash.statusCode).toBe(409);
    expect(clash.json().error.code).toBe('cpr_taken');
    expect(clash.body).not.toContain('0202851235');
  });

  it('needs patients:write', async () => {
    const { epj, url } = await epjFor(['patients:read']);
    const refused = await epj.put(url, ida);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('insufficient_scope');
  });

  it('bulk: one result per line, a bad line fails alone and writes nothing of itself', async () => {
    const { clinic, epj, bulkUrl } = await epjFor();
    const lines = [
      { ...ida, externalId: 'B-1', cpr: '0303801111' },
      { ...ida, externalId: 'B-2', cpr: '3102801112' }, // 31 February
      { ...ida, externalId: 'B-3', cpr: '0303801113', email: 'not-mail' },
      { ...ida, externalId: 'B-4', cpr: '0303801114', givenName: '' },
      { ...ida, externalId: 'B-1', cpr: '0303801115' }, // same externalId as line 1
      { ...ida, externalId: 'B-6', cpr: '0303801116' },
    ];
    const response = await epj.post(bulkUrl, lines);
    expect(response.statusCode, response.body).toBe(200);
    const results = response.json<{ results: { line: number; result: string; error?: { code: string; field?: string } }[] }>().results;
    expect(results.map((r) => [r.line, r.result])).toEqual([
      [1, 'created'],
      [2, 'error'],
      [3, 'error'],
      [4, 'error'],
      [5, 'error'],
      [6, 'created'],
    ]);
    expect(results[1]!.error).toMatchObject({ code: 'validation_failed', field: 'cpr' });
    expect(results[2]!.error).toMatchObject({ field: 'email' });
    expect(results[4]!.error).toMatchObject({ code: 'duplicate_line' });
    const stored = await t.ctx.db.selectFrom('patients').select('external_id').where('clinic_id', '=', clinic.id).orderBy('external_id').execute();
    expect(stored.map((s) => s.external_id)).toEqual(['B-1', 'B-6']);
    const again = await epj.post(bulkUrl, [lines[0], lines[5]]);
    expect(again.json().results.map((r: { result: string }) => r.result)).toEqual(['unchanged', 'unchanged']);
  });

  it('bulk NDJSON is answered as NDJSON, a line that is not JSON being that line’s error', async () => {
    const { epj, bulkUrl } = await epjFor();
    const body = [
      JSON.stringify({ ...ida, externalId: 'N-1', cpr: '0404701111' }),
      '{not json',
      JSON.stringify({ ...ida, externalId: 'N-3', cpr: '0404701113' }),
    ].join('\n');
    const response = await epj.request('POST', bulkUrl, body, { 'content-type': 'application/x-ndjson' });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toContain('application/x-ndjson');
    const lines = response.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; result: string });
    expect(lines.map((l) => l.result)).toEqual(['created', 'error', 'created']);
  });

  it('bulk refuses more than 10,000 lines as a whole', async () => {
    const { epj, bulkUrl } = await epjFor();
    const body = Array.from({ length: 10_001 }, () => '{}').join('\n');
    const response = await epj.request('POST', bulkUrl, body, { 'content-type': 'application/x-ndjson' });
    expect(response.statusCode).toBe(400);
  });

  it('never re-keys the CPR number of a record someone reaches through it: a login’s membership or parents’ access to a child', async () => {
    const { clinic, epj, url } = await epjFor();
    const cprChange = async (externalId: string, cpr: string) => {
      const created = await epj.put(url, { ...ida, externalId, cpr });
      return created.json<{ patientId: string }>().patientId;
    };
    // A child whose custody holders may act for them at this clinic.
    const childId = await cprChange('EPJ-child', '010120-4321');
    await t.ctx.db
      .insertInto('child_access')
      .values({ clinic_id: clinic.id, patient_id: childId, rights: ['econsultation'], holder_cprs: ['010190-1234'], created_at: t.clock.now() })
      .execute();
    const refused = await epj.put(url, { ...ida, externalId: 'EPJ-child', cpr: '020220-4321' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({ code: 'cpr_locked', field: 'cpr' });
    // Once the access has ended, the clinic system may correct the number.
    await t.ctx.db.updateTable('child_access').set({ ended_at: t.clock.now() }).where('patient_id', '=', childId).execute();
    expect((await epj.put(url, { ...ida, externalId: 'EPJ-child', cpr: '020220-4321' })).json().result).toBe('updated');
  });
});
