import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/databases.ts';
import { buildClinic, buildLoginRequest, buildStaff } from '../../../test/helpers/factories.ts';
import { ALL_SCOPES, BearerClient, buildIntegration, tokenFor } from '../../../test/helpers/integrations.ts';
import { StaffClient, startTestApp, type TestApp } from '../../../test/helpers/test-app.ts';
import { bearerRouteScopes } from './route-scopes.ts';

interface Operation {
  security?: Record<string, string[]>[];
}
type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

describe.each(backends)('bearer tokens on the staff API on %s', (backend) => {
  let t: TestApp;
  let routes: { method: Method; path: string; scope: string }[];

  beforeAll(async () => {
    t = await startTestApp(backend);
    const doc = (await t.app.inject({ method: 'GET', url: '/api/docs/json' })).json<{ paths: Record<string, Record<string, Operation>> }>();
    routes = Object.entries(doc.paths).flatMap(([path, operations]) =>
      Object.entries(operations).flatMap(([method, op]) => {
        const scope = op.security?.find((s) => 'clinicSystem' in s)?.clinicSystem?.[0];
        return scope ? [{ method: method.toUpperCase() as Method, path, scope }] : [];
      }),
    );
  });
  afterAll(() => t.close());

  const urlOf = (path: string, clinicId: string) => path.replace('{clinicId}', clinicId).replace(/\{[A-Za-z]+\}/g, () => randomUUID());

  it('the OpenAPI document declares the OAuth2 client credentials scheme and the scope of every bearer route', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/docs/json' })).json<{
      components: { securitySchemes: Record<string, { type: string; flows?: unknown }> };
    }>();
    expect(doc.components.securitySchemes.clinicSystem).toMatchObject({ type: 'oauth2', flows: { clientCredentials: { tokenUrl: '/oauth/token' } } });
    const declared = routes.map((r) => `${r.method} ${r.path.replace(/\{([A-Za-z]+)\}/g, ':$1')}`).sort();
    expect(declared).toEqual(Object.keys(bearerRouteScopes).sort());
  });

  it('every bearer route admits a token with just its scope and refuses one without it (403 insufficient_scope) or for another clinic (403)', async () => {
    const mine = await buildClinic(t.ctx.db);
    const other = await buildClinic(t.ctx.db);
    const credentials = await buildIntegration(t, [mine.id]);
    const full = new BearerClient(t, await tokenFor(t, credentials));
    expect(routes.length).toBeGreaterThanOrEqual(20);
    for (const route of routes) {
      const lacking = new BearerClient(t, await tokenFor(t, credentials, ALL_SCOPES.filter((s) => s !== route.scope).join(' ')));
      const refused = await lacking.request(route.method, urlOf(route.path, mine.id), route.method === 'GET' ? undefined : {});
      expect([route, refused.statusCode, refused.json().error?.code]).toEqual([route, 403, 'insufficient_scope']);
      const only = new BearerClient(t, await tokenFor(t, credentials, route.scope));
      const allowed = await only.request(route.method, urlOf(route.path, mine.id), route.method === 'GET' ? undefined : {});
      expect([route, allowed.statusCode < 500, [401, 403].includes(allowed.statusCode)]).toEqual([route, true, false]);
      if (route.path.includes('{clinicId}')) {
        const foreign = await full.request(route.method, urlOf(route.path, other.id), route.method === 'GET' ? undefined : {});
        expect([route, foreign.statusCode, foreign.json().error?.code]).toEqual([route, 403, 'forbidden']);
      }
    }
  });

  it('routes without a clinic in the path are scoped to the granted clinics: another clinic’s login request is not found', async () => {
    const mine = await buildClinic(t.ctx.db);
    const other = await buildClinic(t.ctx.db);
    const epj = new BearerClient(t, await tokenFor(t, await buildIntegration(t, [mine.id])));
    const foreign = await buildLoginRequest(t.ctx.db, other.id);
    const own = await buildLoginRequest(t.ctx.db, mine.id);
    const listed = (await epj.get('/api/login-requests')).json<{ open: { id: string }[] }>();
    expect(listed.open.map((r) => r.id)).toEqual([own.id]);
    expect((await epj.post(`/api/login-requests/${foreign.id}/reject`, {})).statusCode).toBe(404);
    const rejected = await epj.post(`/api/login-requests/${own.id}/reject`, {});
    expect(rejected.statusCode, rejected.body).toBe(200);
    const audit = await t.ctx.db
      .selectFrom('audit_events')
      .select(['actor_type', 'actor_id'])
      .where('action', '=', 'login_request.rejected')
      .where('clinic_id', '=', mine.id)
      .executeTakeFirstOrThrow();
    expect(audit.actor_type).toBe('integration');
  });

  it('routes not open to integrations refuse even a token with every scope', async () => {
    const clinic = await buildClinic(t.ctx.db);
    const epj = new BearerClient(t, await tokenFor(t, await buildIntegration(t, [clinic.id])));
    for (const url of [`/api/clinics/${clinic.id}/settings`, `/api/clinics/${clinic.id}/integrations`, '/api/session', '/api/support/clinics']) {
      const response = await epj.get(url);
      expect([url, response.statusCode]).toEqual([url, 403]);
    }
  });

  it('ignores cookies on bearer requests and needs no CSRF header', async () => {
    const clinic = await buildClinic(t.ctx.db);
    const staff = await buildStaff(t.ctx.db, { clinics: [{ id: clinic.id, role: 'admin' }] });
    const browser = new StaffClient(t.app);
    await browser.login(staff.email, staff.password);
    const withCookieBadBearer = await t.app.inject({
      method: 'GET',
      url: `/api/clinics/${clinic.id}/patients`,
      headers: { cookie: browser.cookie, authorization: 'Bearer not-a-token' },
    });
    expect(withCookieBadBearer.statusCode).toBe(401);
    expect(withCookieBadBearer.headers['www-authenticate']).toContain('invalid_token');
    const epj = new BearerClient(t, await tokenFor(t, await buildIntegration(t, [clinic.id], { scopes: ['bookings:write'] })));
    const published = await epj.post(`/api/clinics/${clinic.id}/slots`, {
      practitioner: 'Læge Hansen',
      startsAt: new Date(t.clock.now().getTime() + 7 * 86_400_000).toISOString(),
      durationMinutes: 15,
      kind: 'Konsultation',
    });
    expect(published.statusCode, published.body).toBeLessThan(300);
  });

  it('limits requests per integration', async () => {
    const clinic = await buildClinic(t.ctx.db);
    const credentials = await buildIntegration(t, [clinic.id], { scopes: ['patients:read'] });
    await t.ctx.db.updateTable('integrations').set({ rate_limit_per_minute: 3 }).where('id', '=', credentials.clientId).execute();
    const epj = new BearerClient(t, await tokenFor(t, credentials));
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await epj.get(`/api/clinics/${clinic.id}/patients`)).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429]);
    t.clock.advance(61_000);
    expect((await epj.get(`/api/clinics/${clinic.id}/patients`)).statusCode).toBe(200);
  });
});
