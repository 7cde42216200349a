import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../audit/audit.ts';
import { hours, minutes } from '../../clock.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { buildClinic, buildStaff } from '../../../test/helpers/factories.ts';
import { BearerClient, buildIntegration, tokenFor } from '../../../test/helpers/integrations.ts';
import { startTestApp, type TestApp } from '../../../test/helpers/test-app.ts';
import { WebhookWorker } from './webhook-worker.ts';

interface Received {
  headers: Record<string, string>;
  body: string;
}

/** A clinic system's webhook receiver; `answer` decides the status, null closes the connection. */
class Receiver {
  received: Received[] = [];
  answer: number | null = 200;
  #server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (this.answer === null) {
        req.socket.destroy();
        return;
      }
      if (this.answer < 300) this.received.push({ headers: req.headers as Record<string, string>, body });
      res.writeHead(this.answer).end();
    });
  });
  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/hooks`;
  }
  close() {
    return new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** Standard Webhooks verification written from the specification, not with the package that signs. */
function verifiedBySpec(secret: string, r: Received): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${r.headers['webhook-id']}.${r.headers['webhook-timestamp']}.${r.body}`).digest();
  return (r.headers['webhook-signature'] ?? '').split(' ').some((part) => {
    const [version, signature] = part.split(',');
    const given = Buffer.from(signature ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe.each(backends)('webhooks for clinic systems on %s', (backend) => {
  let t: TestApp;
  let receiver: Receiver;
  let url: string;
  let worker: WebhookWorker;
  beforeAll(async () => {
    t = await startTestApp(backend);
    receiver = new Receiver();
    url = await receiver.listen();
    worker = new WebhookWorker({ db: t.ctx.db, clock: t.clock, publicUrl: t.ctx.config.publicUrl, log: silent, baseBackoffMs: 5_000 });
  });
  afterAll(async () => {
    await receiver.close();
    await t.close();
  });

  const setup = async () => {
    const clinic = await buildClinic(t.ctx.db);
    const epj = new BearerClient(t, await tokenFor(t, await buildIntegration(t, [clinic.id], { scopes: ['events:read'] })));
    const registered = await epj.post('/api/webhooks', { url, eventTypes: ['appointment.booked', 'appointment.cancelled'] });
    expect(registered.statusCode, registered.body).toBe(201);
    const { id, secret } = registered.json<{ id: string; secret: string }>();
    return { clinic, epj, webhookId: id, secret };
  };
  const change = (clinicId: string, action: string, slotId: string) =>
    t.ctx.db.transaction().execute((trx) => audit(trx, { type: 'system', id: null, ip: null }, t.clock.now(), { action, clinicId, details: { slotId } }));
  /**
   * Runs the worker until `done` holds. Events reach webhooks only once every older writing
   * transaction on the server has ended, and other test runs (benchmarks) share this server.
   */
  const runUntil = async (done: () => boolean | Promise<boolean>) => {
    const deadline = Date.now() + 80_000;
    while (!(await done()) && Date.now() < deadline) {
      await worker.runOnce();
      await sleep(20);
    }
  };
  const deliver = (n: number) => runUntil(() => receiver.received.length >= n);
  const attempted = (webhookId: string) => async () =>
    (await t.ctx.db.selectFrom('webhook_deliveries').select('id').where('endpoint_id', '=', webhookId).where('attempts', '>', 0).execute()).length > 0;
  const slotsOf = (rs: Received[]) => rs.map((r) => (JSON.parse(r.body) as { data: { slotId: string } }).data.slotId);

  it('accepts https, and http only to localhost outside production', async () => {
    const clinic = await buildClinic(t.ctx.db);
    const epj = new BearerClient(t, await tokenFor(t, await buildIntegration(t, [clinic.id], { scopes: ['events:read'] })));
    const https = await epj.post('/api/webhooks', { url: 'https://epj.example.dk/hooks', eventTypes: ['appointment.booked'] });
    expect(https.statusCode).toBe(201);
    expect(https.json().secret).toMatch(/^whsec_/);
    const plain = await epj.post('/api/webhooks', { url: 'http://epj.example.dk/hooks', eventTypes: ['appointment.booked'] });
    expect(plain.statusCode).toBe(400);
    expect(plain.json().error.field).toBe('url');
    expect((await epj.get('/api/webhooks')).json().webhooks).toHaveLength(1);
  });

  it('delivers thin events signed per Standard Webhooks (verified independently), in order, and logs them', { timeout: 90_000 }, async () => {
    receiver.received = [];
    const { clinic, epj, webhookId, secret } = await setup();
    await change(clinic.id, 'booking.booked', 'one');
    await change(clinic.id, 'renewal.requested', 'not-subscribed');
    await change(clinic.id, 'booking.cancelled', 'two');
    await deliver(2);
    expect(slotsOf(receiver.received)).toEqual(['one', 'two']);
    const first = receiver.received[0]!;
    expect(verifiedBySpec(secret, first)).toBe(true);
    expect(verifiedBySpec(`whsec_${Buffer.from('another key').toString('base64')}`, first)).toBe(false);
    expect(JSON.parse(first.body)).toMatchObject({ type: 'appointment.booked', data: { clinicId: clinic.id, slotId: 'one' } });
    const log = (await epj.get(`/api/webhooks/${webhookId}/deliveries`)).json<{ deliveries: { status: string; attempts: number }[] }>();
    expect(log.deliveries.map((d) => [d.status, d.attempts])).toEqual([
      ['delivered', 1],
      ['delivered', 1],
    ]);
  });

  it('retries with backoff after the receiver was down, keeping the clinic’s order', { timeout: 90_000 }, async () => {
    receiver.received = [];
    const { clinic, epj, webhookId } = await setup();
    receiver.answer = null;
    await change(clinic.id, 'booking.booked', 'first');
    await change(clinic.id, 'booking.booked', 'second');
    await runUntil(attempted(webhookId));
    const failed = (await epj.get(`/api/webhooks/${webhookId}/deliveries`)).json<{
      deliveries: { status: string; attempts: number; lastError: string | null }[];
    }>();
    // The second waits behind the first: it was never attempted.
    expect(failed.deliveries.map((d) => [d.status, d.attempts])).toEqual([
      ['pending', 0],
      ['pending', 1],
    ]);
    expect(failed.deliveries[1]!.lastError).toBeTruthy();
    receiver.answer = 503;
    await worker.runOnce();
    expect(receiver.received).toEqual([]); // not due before the backoff
    receiver.answer = 200;
    t.clock.advance(6_000);
    await deliver(2);
    expect(slotsOf(receiver.received)).toEqual(['first', 'second']);
  });

  it('disables an endpoint after a day of failures and mails the clinic admin', { timeout: 90_000 }, async () => {
    receiver.received = [];
    const { clinic, webhookId } = await setup();
    const admin = await buildStaff(t.ctx.db, { clinics: [{ id: clinic.id, role: 'admin' }] });
    receiver.answer = 500;
    await change(clinic.id, 'booking.booked', 'never');
    await runUntil(attempted(webhookId));
    for (let i = 0; i < 40; i++) {
      await worker.runOnce();
      // (read from the table: the access token of setup() expires as the clock moves by the day)
      const hook = await t.ctx.db.selectFrom('webhook_endpoints').select('disabled_at').where('id', '=', webhookId).executeTakeFirstOrThrow();
      if (hook.disabled_at) break;
      t.clock.advance(hours(2) + minutes(1));
    }
    const hook = await t.ctx.db.selectFrom('webhook_endpoints').select(['disabled_at', 'failing_since']).where('id', '=', webhookId).executeTakeFirstOrThrow();
    expect(hook.disabled_at!.getTime() - hook.failing_since!.getTime()).toBeGreaterThanOrEqual(hours(24));
    const mail = await t.mailTo(admin.email);
    expect(mail.subject).toContain('slået fra');
    receiver.answer = 200;
  });
});
