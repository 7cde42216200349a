import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/databases.ts';
import { buildClinic, buildPatient } from '../../../test/helpers/factories.ts';
import { BearerClient, buildIntegration, tokenFor } from '../../../test/helpers/integrations.ts';
import { clinicWithSecretary } from '../../../test/helpers/portal.ts';
import { startTestApp, type TestApp } from '../../../test/helpers/test-app.ts';

interface Line {
  line: number;
  result: string;
  medicationId?: string;
  error?: { code: string; field?: string };
}

describe.each(backends)('medication lists kept in sync by the clinic system on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(() => t.close());

  const epjFor = async (scopes = ['renewals:write']) => {
    const clinic = await buildClinic(t.ctx.db);
    const patient = await buildPatient(t.ctx.db, clinic.id);
    await t.ctx.db.updateTable('patients').set({ external_id: 'P-1' }).where('id', '=', patient.id).execute();
    const credentials = await buildIntegration(t, [clinic.id], { scopes });
    const epj = new BearerClient(t, await tokenFor(t, credentials));
    const base = `/api/clinics/${clinic.id}/medications`;
    return { clinic, patient, epj, credentials, url: `${base}/by-external-id`, bulkUrl: `${base}/bulk` };
  };
  const item = { externalId: 'M-1', patientExternalId: 'P-1', name: 'Metformin', dosage: '500 mg 2 gange dagligt', renewableOnline: true };
  const writes = async (clinicId: string) => ({
    audits: (await t.ctx.db.selectFrom('audit_events').select('id').where('clinic_id', '=', clinicId).execute()).length,
    events: (await t.ctx.db.selectFrom('events').select('id').where('clinic_id', '=', clinicId).execute()).length,
  });

  it('creates, answers unchanged writing nothing, then updates, with audit rows naming the integration', async () => {
    const { clinic, patient, epj, url, credentials } = await epjFor();
    const first = await epj.put(url, item);
    expect(first.statusCode, first.body).toBe(200);
    const { medicationId } = first.json<{ medicationId: string }>();
    expect(first.json()).toEqual({ result: 'created', medicationId, patientId: patient.id, externalId: 'M-1' });
    const before = await writes(clinic.id);
    const again = await epj.put(url, item);
    expect(again.json()).toEqual({ result: 'unchanged', medicationId, patientId: patient.id, externalId: 'M-1' });
    expect(await writes(clinic.id)).toEqual(before);
    const changed = await epj.put(url, { ...item, dosage: '1000 mg dagligt' });
    expect(changed.json()).toMatchObject({ result: 'updated', medicationId });
    const row = await t.ctx.db.selectFrom('medications').selectAll().where('id', '=', medicationId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ clinic_id: clinic.id, patient_id: patient.id, external_id: 'M-1', dosage: '1000 mg dagligt', renewable_online: true });
    const audits = await t.ctx.db
      .selectFrom('audit_events')
      .select(['action', 'actor_type', 'actor_id', 'patient_id'])
      .where('clinic_id', '=', clinic.id)
      .where('action', 'like', 'renewal.%')
      .orderBy('id')
      .execute();
    expect(audits).toEqual([
      { action: 'renewal.medication_added', actor_type: 'integration', actor_id: credentials.clientId, patient_id: patient.id },
      { action: 'renewal.medication_updated', actor_type: 'integration', actor_id: credentials.clientId, patient_id: patient.id },
    ]);
    // The patient sees the synced list.
    const listed = await t.ctx.db.selectFrom('medications').select('name').where('patient_id', '=', patient.id).execute();
    expect(listed).toEqual([{ name: 'Metformin' }]);
  });

  it('names the patient by the portal id too, and refuses another clinic’s patient (404) and a patient change (409)', async () => {
    const { patient, epj, url } = await epjFor();
    const byId = await epj.put(url, { ...item, patientExternalId: undefined, patientId: patient.id });
    expect(byId.json()).toMatchObject({ result: 'created', patientId: patient.id });
    const stranger = await buildPatient(t.ctx.db, (await buildClinic(t.ctx.db)).id);
    const foreign = await epj.put(url, { ...item, externalId: 'M-2', patientExternalId: undefined, patientId: stranger.id });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error).toMatchObject({ code: 'patient_not_found', field: 'patientId' });
    const mine = await buildPatient(
      t.ctx.db,
      (await t.ctx.db.selectFrom('patients').select('clinic_id').where('id', '=', patient.id).executeTakeFirstOrThrow()).clinic_id,
    );
    const moved = await epj.put(url, { ...item, patientExternalId: undefined, patientId: mine.id });
    expect(moved.statusCode).toBe(409);
    expect(moved.json().error.code).toBe('medication_patient_mismatch');
    expect(await t.ctx.db.selectFrom('medications').select('id').where('patient_id', 'in', [stranger.id, mine.id]).execute()).toEqual([]);
  });

  it('refuses habit-forming medicine renewable online, and a line naming no patient or two', async () => {
    const { epj, url } = await epjFor();
    const habit = await epj.put(url, { ...item, habitForming: true, renewableOnline: true });
    expect(habit.statusCode).toBe(400);
    expect(habit.json().error.field).toBe('renewableOnline');
    const none = await epj.put(url, { ...item, patientExternalId: undefined });
    expect(none.statusCode).toBe(400);
    const both = await epj.put(url, { ...item, patientId: '00000000-0000-4000-8000-000000000000' });
    expect(both.statusCode).toBe(400);
  });

  it('bulk: one result per line, bad lines fail alone', async () => {
    const { clinic, epj, bulkUrl } = await epjFor();
    const lines = [
      item,
      { ...item, externalId: 'M-2', patientExternalId: 'NO-SUCH' },
      { ...item, externalId: 'M-3', name: '' },
      { ...item, externalId: 'M-1', name: 'Another' }, // same externalId as line 1
      { ...item, externalId: 'M-5', name: 'Panodil', renewableOnline: false },
    ];
    const response = await epj.post(bulkUrl, lines);
    expect(response.statusCode, response.body).toBe(200);
    const results = response.json<{ results: Line[] }>().results;
    expect(results.map((r) => [r.line, r.result, r.error?.code])).toEqual([
      [1, 'created', undefined],
      [2, 'error', 'patient_not_found'],
      [3, 'error', 'validation_failed'],
      [4, 'error', 'duplicate_line'],
      [5, 'created', undefined],
    ]);
    const stored = await t.ctx.db.selectFrom('medications').select('external_id').where('clinic_id', '=', clinic.id).orderBy('external_id').execute();
    expect(stored.map((s) => s.external_id)).toEqual(['M-1', 'M-5']);
    const ndjson = [JSON.stringify(item), '{oops', JSON.stringify(lines[4])].join('\n');
    const again = await epj.request('POST', bulkUrl, ndjson, { 'content-type': 'application/x-ndjson' });
    expect(again.headers['content-type']).toContain('application/x-ndjson');
    expect(
      again.body
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as Line).result),
    ).toEqual(['unchanged', 'error', 'unchanged']);
  });

  it('needs renewals:write, and another clinic answers 403', async () => {
    const { epj, url } = await epjFor(['patients:write', 'renewals:read']);
    const refused = await epj.put(url, item);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('insufficient_scope');
    const { epj: other } = await epjFor();
    const { clinic } = await epjFor();
    const foreign = await other.put(`/api/clinics/${clinic.id}/medications/by-external-id`, item);
    expect(foreign.statusCode).toBe(403);
    expect(await t.ctx.db.selectFrom('medications').select('id').where('clinic_id', '=', clinic.id).execute()).toEqual([]);
  });

  it('a staff session may upsert too, with the staff member as the actor', async () => {
    const { clinic, secretary, patient } = await clinicWithSecretary(t);
    await t.ctx.db.updateTable('patients').set({ external_id: 'S-1' }).where('id', '=', patient.id).execute();
    const response = await secretary.request('PUT', `/api/clinics/${clinic.id}/medications/by-external-id`, { ...item, patientExternalId: 'S-1' });
    expect(response.statusCode, response.body).toBe(200);
    const row = await t.ctx.db
      .selectFrom('audit_events')
      .select('actor_type')
      .where('clinic_id', '=', clinic.id)
      .where('action', '=', 'renewal.medication_added')
      .executeTakeFirstOrThrow();
    expect(row.actor_type).toBe('staff');
  });
});
