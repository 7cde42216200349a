import { strFromU8, unzipSync } from 'fflate';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hours } from '../../clock.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { activatedPatient, PATIENT_PASSWORD, patientLogin } from '../../../test/helpers/portal.ts';
import { startTestApp, type PatientClient, type TestApp } from '../../../test/helpers/test-app.ts';
import { RetentionWorker } from '../retention/retention-worker.ts';
import { CLAIM_LEASE_MS, claimNextExport, lockClaimedExport } from './data-export.repository.ts';
import { buildNextExport, buildPendingExports, downloadExport } from './data-export.ts';

interface ExportView {
  id: string;
  status: string;
}

/** How the claims, attempts, deletions and replacements of export builds behave (issue: export at any size). */
describe.each(backends)('Hent mine data builds (%s)', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(() => t.close());

  const loggedInPatient = async () => {
    const me = await activatedPatient(t);
    const client = await patientLogin(t, me.patient.cpr, me.email);
    const account = await t.ctx.db.selectFrom('patient_accounts').select('id').where('cpr', '=', me.patient.cpr).executeTakeFirstOrThrow();
    return { ...me, client, accountId: account.id };
  };
  const ask = async (client: PatientClient) => {
    const asked = await client.post('/api/patient/export');
    expect(asked.statusCode, asked.body).toBe(202);
    return asked.json<{ export: ExportView }>().export;
  };
  const stateOf = async (id: string) => t.ctx.db.selectFrom('data_exports').select(['status', 'attempts']).where('id', '=', id).executeTakeFirst();

  it('an export whose build dies is claimed again once the lease runs out; after 3 deaths it is failed, not claimed again', async () => {
    const poison = await loggedInPatient();
    const poisonExport = await ask(poison.client);
    for (const attempt of [1, 2, 3]) {
      // A process claims it (the claim commits on its own) and dies building: its transaction rolls back.
      const claimed = await claimNextExport(t.ctx.db, t.clock.now());
      expect(claimed).toMatchObject({ id: poisonExport.id, attempts: attempt });
      await expect(
        t.ctx.db.transaction().execute(async (trx) => {
          await lockClaimedExport(trx, poisonExport.id);
          throw new Error('process died');
        }),
      ).rejects.toThrow('process died');
      // Within the lease no other process takes it.
      expect(await buildNextExport(t.ctx)).toBe(false);
      t.clock.advance(CLAIM_LEASE_MS + 1000);
    }
    expect(await buildNextExport(t.ctx)).toBe(false);
    expect(await stateOf(poisonExport.id)).toEqual({ status: 'failed', attempts: 3 });
    expect((await poison.client.get('/api/patient/export')).json<{ export: ExportView }>().export.status).toBe('failed');

    // One death is not the end: the next process builds it.
    const unlucky = await loggedInPatient();
    const unluckyExport = await ask(unlucky.client);
    expect((await claimNextExport(t.ctx.db, t.clock.now()))?.id).toBe(unluckyExport.id);
    t.clock.advance(CLAIM_LEASE_MS + 1000);
    expect(await buildNextExport(t.ctx)).toBe(true);
    expect(await stateOf(unluckyExport.id)).toEqual({ status: 'ready', attempts: 2 });
  });

  it('deleting the login while its export is being built does not wait for the build, and the export is not kept', async () => {
    const me = await loggedInPatient();
    const pending = await ask(me.client);
    expect((await claimNextExport(t.ctx.db, t.clock.now()))?.id).toBe(pending.id);
    const held = Promise.withResolvers<undefined>();
    const locked = Promise.withResolvers<unknown>();
    const builder = t.ctx.db.transaction().execute(async (trx) => {
      locked.resolve(await lockClaimedExport(trx, pending.id));
      await held.promise;
    });
    await locked.promise;
    try {
      // Before: the deletion waited for the builder's row lock and answered 503 after the lock timeout.
      const deleted = await me.client.delete('/api/patient/me', { password: PATIENT_PASSWORD });
      expect(deleted.statusCode, deleted.body).toBe(200);
    } finally {
      held.resolve(undefined);
      await builder;
    }
    // The builder "died" holding it; the next round drops the export of the deleted login.
    t.clock.advance(CLAIM_LEASE_MS + 1000);
    expect(await buildNextExport(t.ctx)).toBe(false);
    expect(await stateOf(pending.id)).toBeUndefined();
  });

  it('a login deleted during the build (after the worker read the data) gets no ready export: its parts, mail and audit row are dropped', async () => {
    const me = await loggedInPatient();
    const pending = await ask(me.client);
    // The deletion commits while the ZIP is written: here, as the first part is stored.
    await sql
      .raw(
        `create function delete_login_midway() returns trigger language plpgsql as $$ begin
          update patient_accounts set deleted_at = now(), email = null where id = '${me.accountId}'; return new; end $$`,
      )
      .execute(t.ctx.db);
    await sql
      .raw(
        `create trigger delete_login_midway before insert on data_export_parts for each row
          when (new.export_id = '${pending.id}') execute function delete_login_midway()`,
      )
      .execute(t.ctx.db);
    try {
      expect(await buildNextExport(t.ctx)).toBe(true);
    } finally {
      await sql`drop trigger delete_login_midway on data_export_parts`.execute(t.ctx.db);
      await sql`drop function delete_login_midway()`.execute(t.ctx.db);
    }
    expect(await stateOf(pending.id)).toBeUndefined();
    expect(await t.ctx.db.selectFrom('data_export_parts').select('seq').where('export_id', '=', pending.id).execute()).toEqual([]);
    const mails = await t.ctx.db
      .selectFrom('outbox_mails')
      .select('id')
      .where('to_address', '=', me.email)
      .where('template', '=', 'patientDataExportReady')
      .execute();
    expect(mails).toEqual([]);
    const audits = await t.ctx.db.selectFrom('audit_events').select('details').where('action', '=', 'data_export.ready').execute();
    expect(audits.some((row) => (row.details as { exportId?: string }).exportId === pending.id)).toBe(false);
  });

  it('a download already running ends whole when a newer export replaces the one it streams; the replaced one goes an hour later', async () => {
    const me = await loggedInPatient();
    const first = await ask(me.client);
    expect(await buildPendingExports(t.ctx)).toBe(1);
    const size = (await t.ctx.db.selectFrom('data_exports').select('file_size').where('id', '=', first.id).executeTakeFirstOrThrow()).file_size;

    // The download has begun (its headers promised `size` bytes) when the newer export is ready.
    const download = await downloadExport(t.ctx, { type: 'patient', id: me.accountId, ip: '127.0.0.1' }, first.id);
    expect(download.size).toBe(size);
    const second = await ask(me.client);
    expect(await buildPendingExports(t.ctx)).toBe(1);
    const chunks: Buffer[] = [];
    for await (const chunk of download.stream) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    expect(bytes.byteLength).toBe(size);
    expect(JSON.parse(strFromU8(unzipSync(new Uint8Array(bytes))['account.json']!))).toMatchObject({ email: me.email });

    // A new download of the replaced export is refused; the newer one is served.
    expect((await me.client.get(`/api/patient/export/${first.id}/download`)).statusCode).toBe(404);
    expect((await me.client.get(`/api/patient/export/${second.id}/download`)).statusCode).toBe(200);

    const retention = new RetentionWorker({ db: t.ctx.db, clock: t.clock, periods: t.ctx.config.retention, log: { info: () => 0, error: () => 0 } });
    await retention.runOnce();
    expect(await stateOf(first.id)).toBeDefined();
    t.clock.advance(hours(1));
    await retention.runOnce();
    expect(await stateOf(first.id)).toBeUndefined();
    expect(await stateOf(second.id)).toMatchObject({ status: 'ready' });
  });

  it('asking while the pending export turns ready between the conflict and the read answers 202 with a new export, not 500', async () => {
    const me = await loggedInPatient();
    const pending = await ask(me.client);
    // A statement trigger runs after the insert's conflict check and before the read that follows:
    // there the pending export turns ready, as if its build committed at that moment.
    await sql
      .raw(
        `create function ready_midway() returns trigger language plpgsql as $$ begin
          update data_exports set status = 'ready', file_size = 1, ready_at = now(), expires_at = now() + interval '1 day'
          where id = '${pending.id}' and status = 'pending'; return null; end $$`,
      )
      .execute(t.ctx.db);
    await sql`create trigger ready_midway after insert on data_exports for each statement execute function ready_midway()`.execute(t.ctx.db);
    try {
      const again = await me.client.post('/api/patient/export');
      expect(again.statusCode, again.body).toBe(202);
      const answered = again.json<{ export: ExportView }>().export;
      expect(answered).toMatchObject({ status: 'pending' });
      expect(answered.id).not.toBe(pending.id);
    } finally {
      await sql`drop trigger ready_midway on data_exports`.execute(t.ctx.db);
      await sql`drop function ready_midway()`.execute(t.ctx.db);
    }
    expect(await stateOf(pending.id)).toMatchObject({ status: 'ready' });
  });

  it('says who wrote a message for the patient (a parent or under a fuldmagt), in the JSON and the page, not "Dig"', async () => {
    const me = await loggedInPatient();
    const thread = await me.client.post(`/api/patient/clinics/${me.clinic.id}/econsultations`, { subject: 'Feber', body: 'Skrevet af mor' });
    expect(thread.statusCode, thread.body).toBe(201);
    // Recorded as the acting-for code records it (child-access and fuldmagt tests cover that part).
    await t.ctx.db
      .updateTable('econsultation_messages')
      .set({ acted_by_name: 'Mette Hansen', acted_by_relation: 'mor' })
      .where('thread_id', '=', thread.json<{ id: string }>().id)
      .execute();
    const ready = await ask(me.client);
    await buildPendingExports(t.ctx);
    expect(await stateOf(ready.id)).toMatchObject({ status: 'ready' });
    const files = unzipSync(new Uint8Array((await me.client.get(`/api/patient/export/${ready.id}/download`)).rawPayload));
    const threads = JSON.parse(strFromU8(files['econsultations.json']!)) as { messages: { text: string; actedBy: unknown }[] }[];
    expect(threads[0]!.messages[0]).toMatchObject({ text: 'Skrevet af mor', actedBy: { name: 'Mette Hansen', relation: 'mor' } });
    const html = strFromU8(files['index.html']!);
    expect(html).toContain('Mette Hansen (mor) for dig');
    expect(html).not.toMatch(/, Dig<\/p><p class="text">Skrevet af mor/);
  });
});
