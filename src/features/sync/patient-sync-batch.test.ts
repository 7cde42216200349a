import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/databases.ts';
import { buildClinic } from '../../../test/helpers/factories.ts';
import { BearerClient, buildIntegration, tokenFor } from '../../../test/helpers/integrations.ts';
import { startTestApp, type TestApp } from '../../../test/helpers/test-app.ts';

describe.each(backends)('a bulk batch written column-wise on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(() => t.close());

  const line = (i: number, city: string) => ({
    externalId: `C-${String(i)}`,
    cpr: `0${String(i)}0280-111${String(i)}`,
    givenName: `Navn ${String(i)}`,
    familyName: `Efternavn ${String(i)}`,
    address: i % 2 === 0 ? null : `Vej ${String(i)}`,
    city,
    email: `p${String(i)}@example.dk`,
  });

  it('writes each line to its own patient, with one audit row per written patient naming its externalId', async () => {
    const clinic = await buildClinic(t.ctx.db);
    const epj = new BearerClient(t, await tokenFor(t, await buildIntegration(t, [clinic.id], { scopes: ['patients:write'] })));
    const url = `/api/clinics/${clinic.id}/patients/bulk`;
    const first = await epj.post(
      url,
      [1, 2, 3, 4].map((i) => line(i, 'Aarhus')),
    );
    expect(first.json().results.map((r: { result: string }) => r.result)).toEqual(['created', 'created', 'created', 'created']);
    // Lines 2 and 4 change, 1 stays, 5 is new: the updated rows must not trade values.
    const second = await epj.post(url, [line(4, 'Odense'), line(1, 'Aarhus'), line(5, 'Vejle'), line(2, 'Aalborg')]);
    const results = second.json<{ results: { result: string; externalId: string; patientId: string }[] }>().results;
    expect(results.map((r) => [r.externalId, r.result])).toEqual([
      ['C-4', 'updated'],
      ['C-1', 'unchanged'],
      ['C-5', 'created'],
      ['C-2', 'updated'],
    ]);
    const rows = await t.ctx.db
      .selectFrom('patients')
      .select(['id', 'external_id', 'cpr', 'given_name', 'address', 'city'])
      .where('clinic_id', '=', clinic.id)
      .orderBy('external_id')
      .execute();
    expect(rows.map((r) => [r.external_id, r.cpr, r.given_name, r.address, r.city])).toEqual([
      ['C-1', '0102801111', 'Navn 1', 'Vej 1', 'Aarhus'],
      ['C-2', '0202801112', 'Navn 2', null, 'Aalborg'],
      ['C-3', '0302801113', 'Navn 3', 'Vej 3', 'Aarhus'],
      ['C-4', '0402801114', 'Navn 4', null, 'Odense'],
      ['C-5', '0502801115', 'Navn 5', 'Vej 5', 'Vejle'],
    ]);
    for (const r of results) expect(rows.find((row) => row.external_id === r.externalId)?.id).toBe(r.patientId);
    const audits = await t.ctx.db
      .selectFrom('audit_events')
      .select(['patient_id', 'action', 'details', 'actor_type'])
      .where('clinic_id', '=', clinic.id)
      .where('action', 'like', 'patient.%_by_sync')
      .orderBy('id')
      .execute();
    const idOf = (externalId: string) => rows.find((r) => r.external_id === externalId)?.id;
    expect(audits).toEqual([
      ...[1, 2, 3, 4].map((i) => ({
        patient_id: idOf(`C-${String(i)}`),
        action: 'patient.created_by_sync',
        details: { externalId: `C-${String(i)}` },
        actor_type: 'integration',
      })),
      { patient_id: idOf('C-4'), action: 'patient.updated_by_sync', details: { externalId: 'C-4' }, actor_type: 'integration' },
      { patient_id: idOf('C-2'), action: 'patient.updated_by_sync', details: { externalId: 'C-2' }, actor_type: 'integration' },
      { patient_id: idOf('C-5'), action: 'patient.created_by_sync', details: { externalId: 'C-5' }, actor_type: 'integration' },
    ]);
  });
});
