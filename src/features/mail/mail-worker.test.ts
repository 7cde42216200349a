import { createServer, type AddressInfo, type Socket } from 'node:net';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { listenForNotifications, type NotificationListener } from '../../db/notifications.ts';
import { ManualClock, minutes } from '../../clock.ts';
import { backends, createTestDatabase, type TestDatabase } from '../../../test/helpers/databases.ts';
import { MailWorker, type MailWorkerOptions } from './mail-worker.ts';
import { enqueueMail } from './outbox.ts';
import { SmtpSink } from './smtp-sink.ts';

const noop = (): void => {
  // a logger that drops everything: the tests look at what was sent, not at the log
};
const silent = { info: noop, warn: noop, error: noop };

async function freePort(): Promise<number> {
  const probe = new SmtpSink();
  const port = await probe.listen(0);
  await probe.close();
  return port;
}

describe.each(backends)('mail outbox delivery on %s', (backend) => {
  let database: TestDatabase;
  let clock: ManualClock;
  const sinks: SmtpSink[] = [];
  const workers: MailWorker[] = [];

  const worker = (smtpUrl: string, options: Partial<MailWorkerOptions> = {}) => {
    const w = new MailWorker({ db: database.db, clock, smtpUrl, from: 'Patientportal <no-reply@test.dk>', log: silent, ...options });
    workers.push(w);
    return w;
  };
  const sink = async (port = 0) => {
    const s = new SmtpSink();
    await s.listen(port);
    sinks.push(s);
    return s;
  };
  const enqueue = (to: string, clinicId: string | null = null) =>
    enqueueMail(database.db, { to, template: 'staffSetPassword', params: { name: 'Test', link: 'http://localhost/x', validDays: 7 }, clinicId }, clock.now());
  const statusOf = (to: string) => database.db.selectFrom('outbox_mails').selectAll().where('to_address', '=', to).executeTakeFirstOrThrow();

  beforeAll(async () => {
    database = await createTestDatabase(backend);
    clock = new ManualClock();
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    await Promise.all(sinks.splice(0).map((s) => s.close()));
  });
  afterAll(() => database.drop());

  it('delivers a queued mail over SMTP and erases its body once sent', async () => {
    const server = await sink();
    await enqueue('first@example.test');
    expect(await worker(server.url).runOnce()).toBe(1);
    const received = await server.waitFor('first@example.test');
    expect(received.subject).toContain('Vælg din adgangskode');
    expect(received.text).toContain('http://localhost/x');
    const row = await statusOf('first@example.test');
    expect(row.status).toBe('sent');
    expect(row.text_body).toBeNull();
  });

  it('keeps retrying with growing delays while the SMTP server is down, then delivers exactly once', async () => {
    const port = await freePort();
    const w = worker(`smtp://127.0.0.1:${port}`, { baseBackoffMs: 10_000 });
    await enqueue('down@example.test');

    expect(await w.runOnce()).toBe(1);
    let row = await statusOf('down@example.test');
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row.last_error).toMatch(/ECONNREFUSED/);
    expect(row.next_attempt_at.getTime() - clock.now().getTime()).toBe(10_000);

    expect(await w.runOnce()).toBe(0); // not due yet
    clock.advance(10_000);
    expect(await w.runOnce()).toBe(1);
    row = await statusOf('down@example.test');
    expect(row.attempts).toBe(2);
    expect(row.next_attempt_at.getTime() - clock.now().getTime()).toBe(20_000);

    const server = await sink(port); // the SMTP server comes back on the same port
    clock.advance(20_000);
    expect(await w.runOnce()).toBe(1);
    await server.waitFor('down@example.test');
    clock.advance(minutes(60));
    expect(await w.runOnce()).toBe(0);
    expect(server.messages.filter((m) => m.to.includes('down@example.test'))).toHaveLength(1);
    expect((await statusOf('down@example.test')).status).toBe('sent');
  });

  it('marks a mail failed, not dropped, when the server refuses it for good', async () => {
    const server = await sink();
    server.rejectTo.add('gone@example.test');
    await enqueue('gone@example.test');
    await worker(server.url).runOnce();
    const row = await statusOf('gone@example.test');
    expect(row.status).toBe('failed');
    expect(row.last_error).toMatch(/^550/);
    expect(row.text_body).not.toBeNull(); // kept, so support can send it again
    expect(server.messages.some((m) => m.to.includes('gone@example.test'))).toBe(false);
  });

  it('never sends a mail twice when two workers share the database', async () => {
    const server = await sink();
    const recipients = Array.from({ length: 30 }, (_, i) => `pair${i}@example.test`);
    for (const to of recipients) await enqueue(to);
    const a = worker(server.url, { batchSize: 3 });
    const b = worker(server.url, { batchSize: 3 });
    const drain = async (w: MailWorker) => {
      while ((await w.runOnce()) > 0);
    };
    await Promise.all([drain(a), drain(b), drain(a), drain(b)]);
    const delivered = server.messages.filter((m) => m.to[0]?.startsWith('pair'));
    expect(delivered).toHaveLength(30);
    expect(new Set(delivered.map((m) => m.to[0])).size).toBe(30);
  });

  it('uses one Message-ID per mail on every attempt, so a copy sent again after a crash can be recognised', async () => {
    const server = await sink();
    await enqueue('twice@example.test');
    await worker(server.url).runOnce();
    // As if the worker had crashed after the SMTP server took the mail but before it was marked sent.
    await database.db
      .updateTable('outbox_mails')
      .set({ status: 'pending', sent_at: null, locked_until: null, next_attempt_at: clock.now() })
      .where('to_address', '=', 'twice@example.test')
      .execute();
    await worker(server.url).runOnce();
    const copies = server.messages.filter((m) => m.to.includes('twice@example.test'));
    expect(copies).toHaveLength(2);
    const row = await statusOf('twice@example.test');
    expect(copies.map((m) => m.messageId)).toEqual([`<${row.message_id}@test.dk>`, `<${row.message_id}@test.dk>`]);
  });

  it('sends the mail of a worker that crashed after claiming it once its 30 s lease has run out', async () => {
    const server = await sink();
    await enqueue('orphan@example.test');
    // A worker claims the mail and dies before sending it (its claim, as the worker writes it).
    const crashed = worker(server.url);
    const claimedAt = clock.now();
    await database.db
      .updateTable('outbox_mails')
      .set((eb) => ({ locked_until: new Date(claimedAt.getTime() + 30_000), locked_by: 'crashed-worker', attempts: eb('attempts', '+', 1) }))
      .where('to_address', '=', 'orphan@example.test')
      .execute();
    await crashed.stop();
    const survivor = worker(server.url);
    expect(await survivor.runOnce()).toBe(0); // still leased
    clock.advance(31_000);
    expect(await survivor.runOnce()).toBe(1);
    await server.waitFor('orphan@example.test');
    expect((await statusOf('orphan@example.test')).status).toBe('sent');
  });

  it('claims with a 30 s lease, not minutes, while it is sending', async () => {
    // An SMTP server that accepts connections and says nothing keeps the batch in flight.
    const sockets: Socket[] = [];
    const silentServer = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silentServer.listen(0, '127.0.0.1', resolve));
    const { port } = silentServer.address() as AddressInfo;
    await enqueue('lease@example.test');
    const claimedAt = clock.now();
    const sending = worker(`smtp://127.0.0.1:${port}`).runOnce();
    let row: { locked_until: Date | null; locked_by: string | null } | undefined;
    for (let i = 0; i < 100 && !row?.locked_by; i++) {
      row = await database.db
        .selectFrom('outbox_mails')
        .select(['locked_until', 'locked_by'])
        .where('to_address', '=', 'lease@example.test')
        .executeTakeFirstOrThrow();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(row?.locked_until?.getTime()).toBe(claimedAt.getTime() + 30_000);
    for (const socket of sockets) socket.destroy();
    await sending;
    await new Promise<void>((resolve) => silentServer.close(() => resolve()));
  });

  it('runs on its own once started and finishes the batch in flight when stopped', async () => {
    const server = await sink();
    const w = worker(server.url, { pollMs: 20 });
    w.start();
    await enqueue('loop@example.test');
    await server.waitFor('loop@example.test');
    await w.stop();
    expect((await statusOf('loop@example.test')).status).toBe('sent');
  });

  it('after a batch smaller than a full one, claims again only when woken or at the next poll', async () => {
    const server = await sink();
    const w = worker(server.url, { pollMs: 3_600_000 });
    const runs = vi.spyOn(w, 'runOnce');
    await enqueue('short-batch@example.test');
    w.start();
    await server.waitFor('short-batch@example.test');
    await vi.waitFor(async () => expect((await statusOf('short-batch@example.test')).status).toBe('sent'));
    // A claim that finds nothing would follow within milliseconds; give it ample time to show.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(runs).toHaveBeenCalledTimes(1);
    w.wake();
    await vi.waitFor(() => expect(runs).toHaveBeenCalledTimes(2));
  });

  it('after a full batch, claims the next one at once without waiting to be woken', async () => {
    const server = await sink();
    const w = worker(server.url, { pollMs: 3_600_000, batchSize: 2 });
    for (const n of [1, 2, 3]) await enqueue(`full-batch-${String(n)}@example.test`);
    w.start();
    await server.waitFor('full-batch-3@example.test', 10_000);
  });

  describe('woken by PostgreSQL when a mail is queued', () => {
    const listeners: NotificationListener[] = [];
    afterEach(async () => {
      await Promise.all(listeners.splice(0).map((l) => l.close()));
    });
    const listen = async (w: MailWorker) => {
      const listener = listenForNotifications(database.url, { outbox_mails: () => w.wake() }, silent);
      listeners.push(listener);
      await listener.listening;
      return listener;
    };

    it('sends a mail as soon as its transaction commits, not at the next poll', async () => {
      const server = await sink();
      // A poll an hour away: only the notification can bring the mail out within the test.
      const w = worker(server.url, { pollMs: 3_600_000 });
      // The worker's first poll sends a mail already queued, then it sleeps for the hour.
      await enqueue('before-start@example.test');
      w.start();
      await server.waitFor('before-start@example.test');
      await vi.waitFor(async () => expect((await statusOf('before-start@example.test')).status).toBe('sent'));
      await listen(w);
      await database.db.transaction().execute(async (trx) => {
        await enqueueMail(
          trx,
          { to: 'woken@example.test', template: 'staffSetPassword', params: { name: 'T', link: 'http://localhost/x', validDays: 7 } },
          clock.now(),
        );
      });
      await server.waitFor('woken@example.test', 10_000);
      await vi.waitFor(async () => expect((await statusOf('woken@example.test')).status).toBe('sent'));
    });

    it('wakes nobody for a mail whose transaction rolled back', async () => {
      const server = await sink();
      const w = worker(server.url, { pollMs: 3_600_000 });
      let wakes = 0;
      const listener = listenForNotifications(
        database.url,
        {
          outbox_mails: () => {
            wakes++;
            w.wake();
          },
        },
        silent,
      );
      listeners.push(listener);
      await listener.listening;
      const before = wakes;
      await database.db
        .transaction()
        .execute(async (trx) => {
          await enqueueMail(
            trx,
            { to: 'rolled-back@example.test', template: 'staffSetPassword', params: { name: 'T', link: 'http://localhost/x', validDays: 7 } },
            clock.now(),
          );
          throw new Error('roll back');
        })
        .catch(() => undefined);
      // A committed mail after it: its notification arrives, and only one.
      await enqueue('after-rollback@example.test');
      await vi.waitFor(() => expect(wakes).toBe(before + 1), { timeout: 10_000 });
      expect(await database.db.selectFrom('outbox_mails').select('id').where('to_address', '=', 'rolled-back@example.test').execute()).toEqual([]);
    });

    it('wakes nobody for an insert that queued no mail', async () => {
      // The approval's one statement inserts its mail on a condition, false when it leaves the
      // approval to the transaction: that must not wake every worker.
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      const payloads: string[] = [];
      client.on('notification', (n) => payloads.push(n.payload ?? ''));
      await client.query('listen outbox_mails');
      try {
        await sql`insert into outbox_mails (created_at, template, to_address, subject, text_body, next_attempt_at, message_id)
          select now(), 'staffSetPassword', 'nobody@example.test', 's', 't', now(), gen_random_uuid()::text where false`.execute(database.db);
        // Notifications arrive in commit order: once this marker is here, the insert's would be too.
        await sql`select pg_notify('outbox_mails', 'marker')`.execute(database.db);
        await vi.waitFor(() => expect(payloads).toContain('marker'), { timeout: 10_000 });
        expect(payloads).toEqual(['marker']);
        await enqueue('queued-after-nothing@example.test');
        await vi.waitFor(() => expect(payloads).toEqual(['marker', '']), { timeout: 10_000 });
      } finally {
        await client.end();
      }
    });

    it('listens again after PostgreSQL dropped its connection', async () => {
      const server = await sink();
      const w = worker(server.url, { pollMs: 3_600_000 });
      w.start();
      await listen(w);
      await sql`select pg_terminate_backend(pid) from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid() and query ilike 'listen%'`.execute(database.db);
      // pg-listen reconnects after its retry interval; a mail queued after that is sent at once.
      await vi.waitFor(
        async () => {
          const rows = await sql<{
            n: number;
          }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and query ilike 'listen%'`.execute(database.db);
          expect(rows.rows[0]?.n).toBeGreaterThan(0);
        },
        { timeout: 20_000, interval: 200 },
      );
      await enqueue('after-drop@example.test');
      await server.waitFor('after-drop@example.test', 10_000);
    });
  });
});
