import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/databases.ts';
import { buildClinic, buildStaff } from '../../../test/helpers/factories.ts';
import { basic, BearerClient, buildIntegration, requestToken, tokenFor } from '../../../test/helpers/integrations.ts';
import { StaffClient, startTestApp, type TestApp } from '../../../test/helpers/test-app.ts';
import { audit } from '../audit/audit.ts';
import { WebhookWorker } from '../webhooks/webhook-worker.ts';

interface Listed {
  id: string;
  clinics: string[];
  lastTokenAt: string | null;
  previousSecretExpiresAt: string | null;
  revokedAt: string | null;
}

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe.each(backends)('Systemadgang for the clinic admin on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(() => t.close());

  const adminOf = async (...clinicIds: string[]) => {
    const staff = await buildStaff(t.ctx.db, { clinics: clinicIds.map((id) => ({ id, role: 'admin' as const })) });
    const admin = new StaffClient(t.app);
    await admin.login(staff.email, staff.password);
    return admin;
  };
  const listed = async (admin: StaffClient, clinicId: string) =>
    (await admin.get(`/api/clinics/${clinicId}/integrations`)).json<{ integrations: Listed[] }>().integrations;

  it('lists the clinics, when it last got a token, and until when the secret before a rotation works', async () => {
    const clinic = await buildClinic(t.ctx.db, { name: 'Klinik Ø' });
    const admin = await adminOf(clinic.id);
    const created = await admin.post(`/api/clinics/${clinic.id}/integrations`, { name: 'Vores EPJ', scopes: ['patients:read'] });
    expect(created.statusCode, created.body).toBe(201);
    const first = created.json<{ clientId: string; clientSecret: string }>();
    expect((await listed(admin, clinic.id))[0]).toMatchObject({ id: first.clientId, clinics: ['Klinik Ø'], lastTokenAt: null, previousSecretExpiresAt: null });
    await tokenFor(t, first);
    expect((await listed(admin, clinic.id))[0]?.lastTokenAt).toBe(t.clock.now().toISOString());
    const rotated = await admin.post(`/api/clinics/${clinic.id}/integrations/${first.clientId}/rotate-secret`, { overlapHours: 2 });
    expect(rotated.statusCode, rotated.body).toBe(200);
    const until = new Date(t.clock.now().getTime() + 2 * 3_600_000).toISOString();
    expect(rotated.json()).toMatchObject({ clientId: first.clientId, previousSecretExpiresAt: until });
    expect((await listed(admin, clinic.id))[0]?.previousSecretExpiresAt).toBe(until);
    // The old secret works through the overlap, not after it.
    await tokenFor(t, first);
    t.clock.advance(2 * 3_600_000 + 1_000);
    expect((await requestToken(t, { grant_type: 'client_credentials' }, basic(first.clientId, first.clientSecret))).statusCode).toBe(401);
    // (The admin's session ended while the clock moved on: a new login.)
    expect((await listed(await adminOf(clinic.id), clinic.id))[0]?.previousSecretExpiresAt).toBeNull();
  });

  it('is for the clinic admin only: a secretary, and an admin of another clinic, are refused', async () => {
    const clinic = await buildClinic(t.ctx.db);
    const staff = await buildStaff(t.ctx.db, { clinics: [{ id: clinic.id }] });
    const secretary = new StaffClient(t.app);
    await secretary.login(staff.email, staff.password);
    expect((await secretary.get(`/api/clinics/${clinic.id}/integrations`)).statusCode).toBe(403);
    const { clientId } = await buildIntegration(t, [clinic.id]);
    expect((await secretary.get(`/api/clinics/${clinic.id}/integrations/${clientId}/webhooks`)).statusCode).toBe(403);
    const stranger = await adminOf((await buildClinic(t.ctx.db)).id);
    expect((await stranger.get(`/api/clinics/${clinic.id}/integrations/${clientId}/webhooks`)).statusCode).toBe(403);
  });

  it("shows an integration's webhooks with the delivery log of this clinic only", async () => {
    const mine = await buildClinic(t.ctx.db);
    const theirs = await buildClinic(t.ctx.db);
    const vendor = await buildIntegration(t, [mine.id, theirs.id], { kind: 'vendor', scopes: ['events:read'] });
    const epj = new BearerClient(t, await tokenFor(t, vendor));
    // Nothing listens on port 9: every attempt fails, so the log has an error to show.
    const registered = await epj.post('/api/webhooks', { url: 'http://127.0.0.1:9/hooks', eventTypes: ['appointment.booked'] });
    expect(registered.statusCode, registered.body).toBe(201);
    for (const clinicId of [mine.id, theirs.id]) {
      await t.ctx.db
        .transaction()
        .execute((trx) =>
          audit(trx, { type: 'system', id: null, ip: null }, t.clock.now(), { action: 'booking.booked', clinicId, details: { slotId: randomUUID() } }),
        );
    }
    const worker = new WebhookWorker({ db: t.ctx.db, clock: t.clock, publicUrl: t.ctx.config.publicUrl, log: silent, baseBackoffMs: 5_000 });
    // Events reach webhooks once every older writing transaction on the server has ended (other test files share it).
    const deadline = Date.now() + 60_000;
    const attempted = async () =>
      (
        await t.ctx.db
          .selectFrom('webhook_deliveries')
          .select('id')
          .where('endpoint_id', '=', registered.json<{ id: string }>().id)
          .where('attempts', '>', 0)
          .execute()
      ).length === 2;
    while (!(await attempted()) && Date.now() < deadline) {
      await worker.runOnce();
      await sleep(20);
    }
    const admin = await adminOf(mine.id);
    const response = await admin.get(`/api/clinics/${mine.id}/integrations/${vendor.clientId}/webhooks`);
    expect(response.statusCode, response.body).toBe(200);
    const [webhook] = response.json<{
      webhooks: { url: string; deliveries: { clinicId: string; status: string; attempts: number; lastError: string | null }[] }[];
    }>().webhooks;
    expect(webhook?.url).toBe('http://127.0.0.1:9/hooks');
    expect(webhook?.deliveries).toHaveLength(1);
    expect(webhook?.deliveries[0]).toMatchObject({ clinicId: mine.id, status: 'pending', attempts: 1 });
    expect(webhook?.deliveries[0]?.lastError).toBeTruthy();
    // An integration the clinic has no grant from answers 404.
    const other = await buildIntegration(t, [theirs.id]);
    expect((await admin.get(`/api/clinics/${mine.id}/integrations/${other.clientId}/webhooks`)).statusCode).toBe(404);
  });
});
