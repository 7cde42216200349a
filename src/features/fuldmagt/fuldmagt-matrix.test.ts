import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/databases.ts';
import { bodyFor, type OpenApiDoc } from '../../../test/helpers/openapi-routes.ts';
import { activatedPatient } from '../../../test/helpers/portal.ts';
import { startTestApp, type TestApp } from '../../../test/helpers/test-app.ts';
import { acceptAndAct, giveFuldmagt, GRETE, JENS, mitidSession, STRANGER, type MitidSession } from '../../../test/helpers/fuldmagt.ts';

/**
 * Every patient route of a clinic, taken from the OpenAPI document (so a route added later is covered
 * too), asked by a stranger and by a receiver whose fuldmagt was revoked mid-session: none answers
 * with the giver's data or changes it.
 */
describe.each(backends)('what a stranger and a revoked receiver see of a fuldmagt giver on %s', (backend) => {
  let t: TestApp;
  let clinicId: string;
  let threadId: string;
  let fuldmagtId: string;
  let giver: MitidSession;

  beforeAll(async () => {
    t = await startTestApp(backend, {}, undefined, { mitid: true });
    clinicId = (await activatedPatient(t, { cpr: GRETE.cpr })).clinic.id;
    await activatedPatient(t, { cpr: JENS.cpr });
    await activatedPatient(t, { cpr: STRANGER.cpr });
    giver = await mitidSession(t, GRETE);
    const started = await giver.send('POST', `/api/patient/clinics/${clinicId}/econsultations`, { subject: 'Hemmeligt emne', body: 'Hemmelig tekst.' });
    threadId = started.json<{ id: string }>().id;
    fuldmagtId = await giveFuldmagt(giver, { clinicIds: [clinicId], functions: ['econsultation', 'booking', 'renewal'] });
  });
  afterAll(() => t.close());

  const patientRoutes = async () => {
    const doc = (await t.app.inject({ url: '/api/docs/json' })).json<OpenApiDoc>();
    const routes = Object.entries(doc.paths).filter(([path]) => path.startsWith('/api/patient/clinics/{clinicId}'));
    expect(routes.length).toBeGreaterThanOrEqual(8);
    return routes;
  };

  /** Asks every route; each must refuse, and nothing of the giver's may show. */
  const expectNothingOfTheGiver = async (who: MitidSession, allowed: number[], forbidden: string[]) => {
    const threadsBefore = await t.ctx.db.selectFrom('econsultation_messages').select('id').execute();
    for (const [path, operations] of await patientRoutes()) {
      const url = path
        .replace('{clinicId}', clinicId)
        .replace('{threadId}', threadId)
        .replace(/\{\w+\}/g, '00000000-0000-4000-8000-000000000000');
      for (const [method, operation] of Object.entries(operations)) {
        const body = method === 'get' ? undefined : bodyFor(operation);
        const response = await who.send(method.toUpperCase() as 'GET', url, body);
        if (response.statusCode === 400) continue; // refused by validation before any lookup
        expect(allowed, `${method} ${path}: ${response.body}`).toContain(response.statusCode);
        for (const secret of forbidden) expect(response.body).not.toContain(secret);
      }
    }
    expect(await t.ctx.db.selectFrom('econsultation_messages').select('id').execute()).toHaveLength(threadsBefore.length);
  };

  it('gives a stranger nothing: no fuldmagt to accept or act under, and 404 on every route of the giver’s clinic', async () => {
    const stranger = await mitidSession(t, STRANGER);
    expect((await stranger.send('GET', '/api/patient/fuldmagter')).json().received).toEqual([]);
    expect((await stranger.send('POST', `/api/patient/fuldmagter/${fuldmagtId}/accept`)).statusCode).toBe(404);
    expect((await stranger.send('PUT', '/api/patient/acting-for', { fuldmagtId })).statusCode).toBe(404);
    expect((await stranger.send('POST', `/api/patient/fuldmagter/${fuldmagtId}/revoke`)).statusCode).toBe(404);
    await expectNothingOfTheGiver(stranger, [404], ['Hemmeligt emne', 'Grete', GRETE.cpr]);
  });

  it('gives a receiver whose fuldmagt was revoked mid-session a 403 that says so on every route', async () => {
    const jens = await mitidSession(t, JENS);
    await acceptAndAct(jens, fuldmagtId);
    const thread = await jens.send('GET', `/api/patient/clinics/${clinicId}/econsultations/${threadId}`);
    expect(thread.body).toContain('Hemmeligt emne'); // the fuldmagt works until it is revoked
    expect((await giver.send('POST', `/api/patient/fuldmagter/${fuldmagtId}/revoke`)).statusCode).toBe(200);
    // The refusal names the giver (whom he acted for); nothing of her data shows.
    await expectNothingOfTheGiver(jens, [403], ['Hemmeligt emne', 'Hemmelig tekst', GRETE.cpr]);
    expect((await jens.send('GET', `/api/patient/clinics/${clinicId}/econsultations`)).json().error.code).toBe('fuldmagt_revoked');
  });
});
