import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEpjSync } from '../examples/epj-sync.ts';
import { systemClock } from '../src/clock.ts';
import { WebhookWorker } from '../src/features/webhooks/webhook-worker.ts';
import { backends } from './helpers/databases.ts';
import { buildClinic } from './helpers/factories.ts';
import { buildIntegration } from './helpers/integrations.ts';
import { startTestApp, type TestApp } from './helpers/test-app.ts';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe.each(backends)('the example clinic-system client (examples/epj-sync.ts) on %s', (backend) => {
  let t: TestApp;
  let baseUrl: string;
  let worker: WebhookWorker;
  beforeAll(async () => {
    t = await startTestApp(backend);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${String((t.app.server.address() as AddressInfo).port)}`;
    // The real clock for deliveries, so the signature's timestamp is within the receiver's tolerance.
    worker = new WebhookWorker({ db: t.ctx.db, clock: systemClock, publicUrl: t.ctx.config.publicUrl, log: silent, pollMs: 50 });
    worker.start();
  });
  afterAll(async () => {
    await worker.stop();
    await t.close();
  });

  it('gets a token, upserts 1,000 patients in bulk, gives one a login, and receives the signed portal_access.changed webhook', async () => {
    const clinic = await buildClinic(t.ctx.db);
    const credentials = await buildIntegration(t, [clinic.id], { scopes: ['patients:write', 'portal:write', 'events:read'] });
    const options = { baseUrl, clientId: credentials.clientId, clientSecret: credentials.clientSecret, clinicId: clinic.id };
    const result = await runEpjSync(options);

    expect(result.counts).toEqual({ created: 1000 });
    const stored = await t.ctx.db
      .selectFrom('patients')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('clinic_id', '=', clinic.id)
      .where('external_id', 'like', 'EPJ-EXAMPLE-%')
      .executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(1000);

    expect(result.loginCreated).toBe(true);
    const membership = await t.ctx.db
      .selectFrom('portal_memberships')
      .select('id')
      .where('patient_id', '=', result.patientId)
      .where('ended_at', 'is', null)
      .executeTakeFirst();
    expect(membership).toBeDefined();

    const changed = result.deliveries.filter((d) => d.type === 'portal_access.changed');
    expect(changed).toHaveLength(1);
    const delivery = changed[0]!;
    // Verified again here, independently of the example's own check.
    const payload = new Webhook(result.webhookSecret).verify(delivery.body, delivery.headers) as { data: Record<string, unknown> };
    expect(payload.data).toMatchObject({ clinicId: clinic.id, patientId: result.patientId });
    const cpr = await t.ctx.db.selectFrom('patients').select('cpr').where('id', '=', result.patientId).executeTakeFirstOrThrow();
    expect(delivery.body).not.toContain(cpr.cpr); // thin: ids only, never the CPR number
    expect(result.deliveries.every((d) => d.verified)).toBe(true);

    // The example cleans up its webhook, and a second run changes nothing.
    const again = await runEpjSync(options);
    expect(again.counts).toEqual({ unchanged: 1000 });
    expect(again.loginCreated).toBe(false);
  });
});
