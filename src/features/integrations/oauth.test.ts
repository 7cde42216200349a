import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../auth/tokens.ts';
import { minutes } from '../../clock.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { buildClinic, buildStaff } from '../../../test/helpers/factories.ts';
import { basic, BearerClient, buildIntegration, requestToken, tokenFor } from '../../../test/helpers/integrations.ts';
import { StaffClient, startTestApp, type TestApp } from '../../../test/helpers/test-app.ts';
import { JWT_BEARER_ASSERTION } from './oauth.ts';

describe.each(backends)('OAuth 2.0 client credentials for clinic systems on %s', (backend) => {
  let t: TestApp;
  let keys: { privateKey: CryptoKey; publicJwk: Record<string, unknown> };
  const tokenUrl = 'http://localhost:3000/oauth/token';

  beforeAll(async () => {
    t = await startTestApp(backend);
    const pair = await generateKeyPair('ES256');
    keys = { privateKey: pair.privateKey, publicJwk: { ...(await exportJWK(pair.publicKey)), alg: 'ES256' } };
  });
  afterAll(() => t.close());

  const assertion = (clientId: string, overrides: { aud?: string; expiresIn?: number; jti?: string; key?: CryptoKey } = {}) => {
    const now = Math.floor(t.clock.now().getTime() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(overrides.aud ?? tokenUrl)
      .setIssuedAt(now)
      .setExpirationTime(now + (overrides.expiresIn ?? 120))
      .setJti(overrides.jti ?? randomUUID())
      .sign(overrides.key ?? keys.privateKey);
  };
  const withAssertion = (jwt: string, extra: Record<string, string> = {}) =>
    requestToken(t, { grant_type: 'client_credentials', client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: jwt, ...extra });

  it('a clinic admin creates an integration whose secret is shown once and stored only as its SHA-256', async () => {
    const clinic = await buildClinic(t.ctx.db);
    const admin = await buildStaff(t.ctx.db, { clinics: [{ id: clinic.id, role: 'admin' }] });
    const client = new StaffClient(t.app);
    await client.login(admin.email, admin.password);
    const created = await client.post(`/api/clinics/${clinic.id}/integrations`, { name: 'Lægesystemet', scopes: ['patients:read', 'events:read'] });
    expect(created.statusCode).toBe(201);
    const { clientId, clientSecret, tokenUrl: url } = created.json<{ clientId: string; clientSecret: string; tokenUrl: string }>();
    expect(url).toBe(tokenUrl);
    expect(Buffer.from(clientSecret.slice(4), 'base64url').length).toBeGreaterThanOrEqual(32);
    const stored = await t.ctx.db.selectFrom('integration_secrets').select('secret_hash').where('integration_id', '=', clientId).execute();
    expect(stored).toEqual([{ secret_hash: hashToken(clientSecret) }]);
    const listed = await client.get(`/api/clinics/${clinic.id}/integrations`);
    expect(listed.json().integrations).toEqual([expect.objectContaining({ id: clientId, name: 'Lægesystemet', scopes: ['patients:read', 'events:read'] })]);
    expect(listed.body).not.toContain(clientSecret);
    // Plain staff may not manage integrations.
    const secretary = await buildStaff(t.ctx.db, { clinics: [{ id: clinic.id }] });
    const staffClient = new StaffClient(t.app);
    await staffClient.login(secretary.email, secretary.password);
    expect((await staffClient.get(`/api/clinics/${clinic.id}/integrations`)).statusCode).toBe(403);
  });

  it('issues a 10-minute bearer token for client_secret_basic, with the granted scopes', async () => {
    const clinic = await buildClinic(t.ctx.db);
    const credentials = await buildIntegration(t, [clinic.id], { scopes: ['patients:read', 'events:read'] });
    const response = await requestToken(t, { grant_type: 'client_credentials' }, basic(credentials.clientId, credentials.clientSecret));
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.json()).toMatchObject({ token_type: 'Bearer', expires_in: 600, scope: 'patients:read events:read' });
    const narrowed = await requestToken(t, { grant_type: 'client_credentials', scope: 'events:read' }, basic(credentials.clientId, credentials.clientSecret));
    expect(narrowed.json().scope).toBe('events:read');
  });

  it('answers RFC 6749 errors: invalid_client for a bad secret, invalid_scope, unsupported_grant_type', async () => {
    const clinic = await buildClinic(t.ctx.db);
    const credentials = await buildIntegration(t, [clinic.id], { scopes: ['patients:read'] });
    const badSecret = await requestToken(t, { grant_type: 'client_credentials' }, basic(credentials.clientId, `${credentials.clientSecret}x`));
    expect(badSecret.statusCode).toBe(401);
    expect(badSecret.json()).toMatchObject({ error: 'invalid_client' });
    expect(badSecret.headers['www-authenticate']).toMatch(/^Basic/);
    const unknownClient = await requestToken(t, { grant_type: 'client_credentials' }, basic(randomUUID(), credentials.clientSecret));
    expect(unknownClient.json()).toMatchObject({ error: 'invalid_client' });
    const noAuth = await requestToken(t, { grant_type: 'client_credentials' });
    expect(noAuth.statusCode).toBe(401);
    const scope = await requestToken(t, { grant_type: 'client_credentials', scope: 'patients:write' }, basic(credentials.clientId, credentials.clientSecret));
    expect(scope.statusCode).toBe(400);
    expect(scope.json()).toMatchObject({ error: 'invalid_scope' });
    const grant = await requestToken(t, { grant_type: 'password' }, basic(credentials.clientId, credentials.clientSecret));
    expect(grant.statusCode).toBe(400);
    expect(grant.json()).toMatchObject({ error: 'unsupported_grant_type' });
  });

  it('issues a token for private_key_jwt (RFC 7523) and refuses a replayed jti, an expired assertion, a wrong audience or key', async () => {
    const clinic = await buildClinic(t.ctx.db);
    const credentials = await buildIntegration(t, [clinic.id], { scopes: ['events:read'], publicJwk: keys.publicJwk });
    const jwt = await assertion(credentials.clientId);
    const first = await withAssertion(jwt);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json().scope).toBe('events:read');

    const replay = await withAssertion(jwt);
    expect(replay.statusCode).toBe(401);
    expect(replay.json()).toMatchObject({ error: 'invalid_client' });
    expect(replay.json().error_description).toContain('jti');

    const stale = await assertion(credentials.clientId, { expiresIn: 60 });
    t.clock.advance(minutes(2));
    expect((await withAssertion(stale)).json()).toMatchObject({ error: 'invalid_client' });

    expect((await withAssertion(await assertion(credentials.clientId, { aud: 'https://elsewhere.example/oauth/token' }))).statusCode).toBe(401);
    expect((await withAssertion(await assertion(credentials.clientId, { expiresIn: 3600 }))).statusCode).toBe(401);
    const other = await generateKeyPair('ES256');
    expect((await withAssertion(await assertion(credentials.clientId, { key: other.privateKey }))).statusCode).toBe(401);
    // A client registered without a key cannot use assertions at all.
    const secretOnly = await buildIntegration(t, [clinic.id], { scopes: ['events:read'] });
    expect((await withAssertion(await assertion(secretOnly.clientId))).statusCode).toBe(401);
  });

  it('rotation keeps the old secret working through the overlap only; revocation stops issued tokens on the next request', async () => {
    const clinic = await buildClinic(t.ctx.db);
    const admin = await buildStaff(t.ctx.db, { clinics: [{ id: clinic.id, role: 'admin' }] });
    const staff = new StaffClient(t.app);
    await staff.login(admin.email, admin.password);
    const old = await buildIntegration(t, [clinic.id], { scopes: ['patients:read'] });
    const rotated = await staff.post(`/api/clinics/${clinic.id}/integrations/${old.clientId}/rotate-secret`, { overlapHours: 1 });
    expect(rotated.statusCode).toBe(200);
    const fresh = rotated.json<{ clientId: string; clientSecret: string }>();
    expect(fresh.clientId).toBe(old.clientId);
    await tokenFor(t, old);
    await tokenFor(t, fresh);
    t.clock.advance(minutes(61));
    expect((await requestToken(t, { grant_type: 'client_credentials' }, basic(old.clientId, old.clientSecret))).statusCode).toBe(401);
    const token = await tokenFor(t, fresh);
    const epj = new BearerClient(t, token);
    expect((await epj.get(`/api/clinics/${clinic.id}/patients`)).statusCode).toBe(200);
    await staff.login(admin.email, admin.password); // the session idled out during the overlap
    expect((await staff.delete(`/api/clinics/${clinic.id}/integrations/${old.clientId}`)).statusCode).toBe(200);
    const after = await epj.get(`/api/clinics/${clinic.id}/patients`);
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('invalid_token');
    expect((await requestToken(t, { grant_type: 'client_credentials' }, basic(fresh.clientId, fresh.clientSecret))).statusCode).toBe(401);
  });

  it('access tokens stop working after 10 minutes', async () => {
    const clinic = await buildClinic(t.ctx.db);
    const epj = new BearerClient(t, await tokenFor(t, await buildIntegration(t, [clinic.id], { scopes: ['patients:read'] })));
    t.clock.advance(minutes(9));
    expect((await epj.get(`/api/clinics/${clinic.id}/patients`)).statusCode).toBe(200);
    t.clock.advance(minutes(1));
    expect((await epj.get(`/api/clinics/${clinic.id}/patients`)).statusCode).toBe(401);
  });
});
