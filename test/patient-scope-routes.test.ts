import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from './helpers/databases.ts';
import { buildClinic, buildPatient } from './helpers/factories.ts';
import { bodyFor, type OpenApiDoc } from './helpers/openapi-routes.ts';
import { clinicWithSecretary } from './helpers/portal.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';

describe.each(backends)('patient-scoped staff routes on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(() => t.close());

  it('answer 404 for another clinic’s patient on every route, as the record does, and change nothing', async () => {
    const { clinic, secretary } = await clinicWithSecretary(t);
    const other = await buildPatient(t.ctx.db, (await buildClinic(t.ctx.db)).id);
    const doc = (await t.app.inject({ url: '/api/docs/json' })).json<OpenApiDoc>();
    const routes = Object.entries(doc.paths).filter(([path]) => path.startsWith('/api/clinics/{clinicId}/patients/{patientId}'));
    expect(routes.length).toBeGreaterThanOrEqual(3);
    const before = await t.ctx.db.selectFrom('medications').select('id').execute();
    for (const [path, operations] of routes) {
      const url = path.replace('{clinicId}', clinic.id).replace('{patientId}', other.id);
      for (const [method, operation] of Object.entries(operations)) {
        const body = method === 'get' ? undefined : (bodyFor(operation) as object | undefined);
        const response = await secretary.request(method.toUpperCase() as 'GET', url, body);
        if (response.statusCode === 400) continue; // refused before the patient is looked up
        expect(response.statusCode, `${method} ${path}: ${response.body}`).toBe(404);
      }
    }
    const medications = await secretary.get(`/api/clinics/${clinic.id}/patients/${other.id}/medications`);
    expect(medications.statusCode).toBe(404);
    expect(await t.ctx.db.selectFrom('medications').select('id').execute()).toHaveLength(before.length);
  });
});
