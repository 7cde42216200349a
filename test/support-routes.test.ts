import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from './helpers/databases.ts';
import { buildClinic, buildPatient, buildStaff } from './helpers/factories.ts';
import { StaffClient, startTestApp, type TestApp } from './helpers/test-app.ts';
import { bodyFor, type OpenApiDoc } from './helpers/openapi-routes.ts';

// Routes that are not staff routes: the patient side, public pages, login steps.
const notStaff = /^\/api\/(patient|mitid|registration|auth\/(login|logout|set-password|second-factor$)|docs)|^\/(health|metrics)/;

describe.each(backends)('every staff route as vendor support on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(() => t.close());

  it('answers support 403 or 404 on every clinic route (never 5xx), with a real clinic and patient in the path', async () => {
    const clinic = await buildClinic(t.ctx.db);
    const patient = await buildPatient(t.ctx.db, clinic.id);
    const support = await buildStaff(t.ctx.db, { isSupport: true });
    const client = new StaffClient(t.app);
    expect((await client.login(support.email, support.password)).statusCode).toBe(200);
    const doc = (await t.app.inject({ url: '/api/docs/json' })).json<OpenApiDoc>();

    const answers: string[] = [];
    for (const [path, operations] of Object.entries(doc.paths)) {
      if (notStaff.test(path)) continue;
      for (const [method, operation] of Object.entries(operations)) {
        const url = path
          .replace('{clinicId}', clinic.id)
          .replace('{patientId}', patient.id)
          .replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
        const response = await client.request(method.toUpperCase() as 'GET', url, bodyFor(operation));
        answers.push(`${method.toUpperCase()} ${path} ${String(response.statusCode)}`);
        expect(response.statusCode, `${method} ${path}: ${response.body}`).toBeLessThan(500);
        if ((path.includes('{clinicId}') && !path.startsWith('/api/support/')) || path.startsWith('/api/login-requests')) {
          expect([403, 404], `${method} ${path}: ${response.body}`).toContain(response.statusCode);
        }
      }
    }
    expect(answers.length).toBeGreaterThan(20);
    expect(answers).toContain('GET /api/login-requests/summary 403');
  });
});
