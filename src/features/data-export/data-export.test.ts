import { randomBytes } from 'node:crypto';
import { strFromU8, unzipSync } from 'fflate';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hours } from '../../clock.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { buildPatient } from '../../../test/helpers/factories.ts';
import { activate, activatedPatient, opret, patientLogin, uniqueEmail } from '../../../test/helpers/portal.ts';
import { startTestApp, type PatientClient, type TestApp } from '../../../test/helpers/test-app.ts';
import { RetentionWorker } from '../retention/retention-worker.ts';
import { claimPendingExport, PART_BYTES } from './data-export.repository.ts';
import { buildNextExport, buildPendingExports } from './data-export.ts';

/** A real PNG header followed by bytes no other file has, so the attachment is recognisable in the ZIP. */
const pngWith = (marker: Buffer) => Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), marker]);

interface ExportView {
  id: string;
  status: string;
  expiresAt: string | null;
}

describe.each(backends)('Hent mine data (%s)', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(() => t.close());

  /** A patient of `setup`'s clinic with a login of their own, logged in. */
  async function secondPatientAt(setup: Awaited<ReturnType<typeof activatedPatient>>, name: { given_name: string; family_name: string }) {
    const record = await buildPatient(t.ctx.db, setup.clinic.id, name);
    const email = uniqueEmail();
    const { token } = await opret(t, setup.secretary, `/api/clinics/${setup.clinic.id}/patients/${record.id}/portal`, email);
    expect((await activate(t, token!)).statusCode).toBe(200);
    return { record, email, client: await patientLogin(t, record.cpr, email) };
  }

  const askAndBuild = async (client: PatientClient) => {
    const asked = await client.post('/api/patient/export');
    expect(asked.statusCode).toBe(202);
    expect(await buildPendingExports(t.ctx)).toBe(1);
    return asked.json<{ export: ExportView }>().export;
  };

  it('builds the ZIP in the background, mails that it is ready, and holds the patient’s messages and attachment but nothing of another patient', async () => {
    const me = await activatedPatient(t);
    const patient = await patientLogin(t, me.patient.cpr, me.email);
    const other = await secondPatientAt(me, { given_name: 'Bodil', family_name: 'Særnavnsen' });
    const otherThread = await other.client.post(`/api/patient/clinics/${me.clinic.id}/econsultations`, {
      subject: 'Bodils emne',
      body: 'Bodils hemmelige besked',
    });
    expect(otherThread.statusCode).toBe(201);

    const png = pngWith(randomBytes(64));
    const mine = await patient.post(`/api/patient/clinics/${me.clinic.id}/econsultations`, {
      subject: 'Knæ <script>alert(1)</script>',
      body: 'Mit knæ gør ondt, se billedet',
      attachments: [{ filename: 'knæ.png', data: png.toString('base64') }],
    });
    expect(mine.statusCode).toBe(201);
    expect(
      (await me.secretary.post(`/api/clinics/${me.clinic.id}/econsultations/${mine.json().id}/messages`, { body: 'Kom forbi i morgen.' })).statusCode,
    ).toBe(201);

    // Asked: pending, and asking again returns the same pending export.
    const asked = await patient.post('/api/patient/export');
    expect(asked.statusCode).toBe(202);
    const pending = asked.json<{ export: ExportView }>().export;
    expect(pending.status).toBe('pending');
    expect((await patient.post('/api/patient/export')).json<{ export: ExportView }>().export.id).toBe(pending.id);
    expect((await patient.get(`/api/patient/export/${pending.id}/download`)).statusCode).toBe(404);

    expect(await buildPendingExports(t.ctx)).toBe(1);
    const mail = await t.mailTo(me.email);
    expect(mail.subject).toContain('Dine data er klar');
    expect(mail.text).toContain('http://localhost:3000/portal/profile');
    expect(mail.text).not.toMatch(/knæ|#token=/i);

    const status = (await patient.get('/api/patient/export')).json<{ export: ExportView }>().export;
    expect(status).toMatchObject({ id: pending.id, status: 'ready', expiresAt: new Date(t.clock.now().getTime() + hours(24)).toISOString() });

    const download = await patient.get(`/api/patient/export/${pending.id}/download`);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/zip');
    const files = unzipSync(new Uint8Array(download.rawPayload));
    const names = Object.keys(files);
    expect(names).toEqual(expect.arrayContaining(['index.html', 'account.json', 'clinics.json', 'econsultations.json', 'my-log.json']));

    const threads = JSON.parse(strFromU8(files['econsultations.json']!)) as {
      subject: string;
      messages: { text: string; sender: string; attachments: { file: string }[] }[];
    }[];
    expect(threads).toHaveLength(1);
    expect(threads[0]!.messages.map((m) => m.text)).toEqual(['Mit knæ gør ondt, se billedet', 'Kom forbi i morgen.']);
    const attachmentPath = threads[0]!.messages[0]!.attachments[0]!.file;
    expect(attachmentPath).toMatch(/^attachments\/.+-knæ\.png$/);
    expect(Buffer.from(files[attachmentPath]!).equals(png)).toBe(true);

    const html = strFromU8(files['index.html']!);
    expect(html).toContain('Mit knæ gør ondt, se billedet');
    expect(html).toContain('Knæ &#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).not.toMatch(/<script/i);
    expect(JSON.parse(strFromU8(files['account.json']!))).toMatchObject({ cpr: me.patient.cpr, email: me.email });

    // Nothing of the other patient in any file: not their message, name or CPR number.
    for (const [name, bytes] of Object.entries(files)) {
      const text = Buffer.from(bytes).toString('utf8');
      for (const secret of ['Bodils hemmelige besked', 'Bodils emne', 'Særnavnsen', other.record.cpr, other.email]) {
        expect(text.includes(secret), `${name} holds "${secret}"`).toBe(false);
      }
    }

    const log = (await patient.get('/api/patient/my-log')).json<{ entries: { text: { da: string } }[] }>().entries;
    expect(log[0]!.text.da).toBe('Du hentede dine data');
  });

  it('stores a large ZIP in parts and downloads it whole', async () => {
    const me = await activatedPatient(t);
    const patient = await patientLogin(t, me.patient.cpr, me.email);
    const big = pngWith(randomBytes(PART_BYTES + 1024 * 1024)); // more than one part, within the 10 MB limit
    const thread = await patient.post(`/api/patient/clinics/${me.clinic.id}/econsultations`, {
      subject: 'Stort billede',
      body: 'Se vedhæftet',
      attachments: [{ filename: 'stort.png', data: big.toString('base64') }],
    });
    expect(thread.statusCode).toBe(201);
    const ready = await askAndBuild(patient);
    const parts = await t.ctx.db.selectFrom('data_export_parts').select('seq').where('export_id', '=', ready.id).orderBy('seq').execute();
    expect(parts.map((p) => p.seq)).toEqual([0, 1]);
    const download = await patient.get(`/api/patient/export/${ready.id}/download`);
    expect(download.statusCode).toBe(200);
    const files = unzipSync(new Uint8Array(download.rawPayload));
    const path = Object.keys(files).find((name) => name.endsWith('stort.png'));
    expect(Buffer.from(files[path!]!).equals(big)).toBe(true);
  });

  it('is for its owner only, and is gone after 24 hours: refused, then deleted by the retention job', async () => {
    const me = await activatedPatient(t);
    const patient = await patientLogin(t, me.patient.cpr, me.email);
    const other = await secondPatientAt(me, { given_name: 'Anden', family_name: 'Person' });
    const ready = await askAndBuild(patient);
    const url = `/api/patient/export/${ready.id}/download`;

    expect((await other.client.get(url)).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url })).statusCode).toBe(401);
    expect((await other.client.get('/api/patient/export')).json()).toEqual({ export: null });
    expect((await patient.get(url)).statusCode).toBe(200);

    // Within its 24 hours the retention job leaves it alone.
    const retention = new RetentionWorker({ db: t.ctx.db, clock: t.clock, periods: t.ctx.config.retention, log: { info: () => 0, error: () => 0 } });
    t.clock.advance(hours(23));
    await retention.runOnce();
    expect(await t.ctx.db.selectFrom('data_exports').select('id').where('id', '=', ready.id).execute()).toHaveLength(1);

    t.clock.advance(hours(1));
    const again = await patientLogin(t, me.patient.cpr, me.email); // the session ended long ago
    const refused = await again.get(url);
    expect(refused.statusCode).toBe(410);
    expect(refused.json().error.code).toBe('export_expired');
    expect((await again.get('/api/patient/export')).json<{ export: ExportView }>().export.status).toBe('expired');

    await retention.runOnce();
    expect(await t.ctx.db.selectFrom('data_exports').select('id').where('id', '=', ready.id).execute()).toEqual([]);
    expect(await t.ctx.db.selectFrom('data_export_parts').select('seq').where('export_id', '=', ready.id).execute()).toEqual([]);
    expect((await again.get(url)).statusCode).toBe(404);
    expect((await again.get('/api/patient/export')).json()).toEqual({ export: null });
  });

  it('a newer export replaces the older one once it is ready, and deleting the login deletes its exports at once', async () => {
    const me = await activatedPatient(t);
    const patient = await patientLogin(t, me.patient.cpr, me.email);
    const first = await askAndBuild(patient);
    const second = await askAndBuild(patient);
    expect(second.id).not.toBe(first.id);
    expect((await patient.get(`/api/patient/export/${first.id}/download`)).statusCode).toBe(404);
    expect((await patient.get(`/api/patient/export/${second.id}/download`)).statusCode).toBe(200);

    expect((await patient.delete('/api/patient/me', { password: 'lang sætning om en gul cykel' })).statusCode).toBe(200);
    expect(await t.ctx.db.selectFrom('data_exports').select('id').where('id', '=', second.id).execute()).toEqual([]);
  });

  it('a build that fails writes nothing of it, shows "failed", and the patient can ask again', async () => {
    const me = await activatedPatient(t);
    const patient = await patientLogin(t, me.patient.cpr, me.email);
    const asked = (await patient.post('/api/patient/export')).json<{ export: ExportView }>().export;
    // The mail cannot be queued: the ZIP, the ready state and the audit row must go with it.
    await sql
      .raw(
        `create function fail_export_mail() returns trigger language plpgsql as $$ begin
      if new.to_address = '${me.email}' then raise exception 'outbox down'; end if; return new; end $$`,
      )
      .execute(t.ctx.db);
    await sql`create trigger fail_export_mail before insert on outbox_mails for each row execute function fail_export_mail()`.execute(t.ctx.db);
    try {
      await expect(buildNextExport(t.ctx)).rejects.toThrow('outbox down');
    } finally {
      await sql`drop trigger fail_export_mail on outbox_mails`.execute(t.ctx.db);
      await sql`drop function fail_export_mail()`.execute(t.ctx.db);
    }
    expect(await t.ctx.db.selectFrom('data_export_parts').select('seq').where('export_id', '=', asked.id).execute()).toEqual([]);
    const audits = await t.ctx.db.selectFrom('audit_events').select('details').where('action', '=', 'data_export.ready').execute();
    expect(audits.some((row) => (row.details as { exportId?: string }).exportId === asked.id)).toBe(false);
    expect((await patient.get('/api/patient/export')).json<{ export: ExportView }>().export).toMatchObject({ id: asked.id, status: 'failed' });
    expect((await patient.get(`/api/patient/export/${asked.id}/download`)).statusCode).toBe(404);

    const again = (await patient.post('/api/patient/export')).json<{ export: ExportView }>().export;
    expect(again).toMatchObject({ status: 'pending' });
    expect(again.id).not.toBe(asked.id);
    expect(await buildPendingExports(t.ctx)).toBe(1);
    expect((await patient.get('/api/patient/export')).json<{ export: ExportView }>().export).toMatchObject({ id: again.id, status: 'ready' });
  });

  it('two workers never build the same export: a held export is skipped, and concurrent runs build each once', async () => {
    const patients = [];
    for (let i = 0; i < 4; i++) {
      const p = await activatedPatient(t);
      patients.push({ ...p, client: await patientLogin(t, p.patient.cpr, p.email) });
    }
    for (const p of patients) expect((await p.client.post('/api/patient/export')).statusCode).toBe(202);

    // One worker holds the oldest export (its transaction is open); another worker skips it, without waiting.
    const held = Promise.withResolvers<undefined>();
    const claimed = Promise.withResolvers<string | undefined>();
    const holder = t.ctx.db.transaction().execute(async (trx) => {
      claimed.resolve((await claimPendingExport(trx))?.id);
      await held.promise;
    });
    const heldId = await claimed.promise;
    expect(heldId).toBeDefined();
    expect(await buildNextExport(t.ctx)).toBe(true);
    const afterOne = await t.ctx.db.selectFrom('data_exports').select(['id', 'status']).where('status', '=', 'ready').execute();
    expect(afterOne.map((r) => r.id)).not.toContain(heldId);
    held.resolve(undefined);
    await holder;

    // The rest by two workers at once: every export built exactly once, one mail each.
    const [a, b] = await Promise.all([buildPendingExports(t.ctx), buildPendingExports(t.ctx)]);
    expect(a + b).toBe(3);
    const audits = await t.ctx.db.selectFrom('audit_events').select('details').where('action', '=', 'data_export.ready').execute();
    for (const p of patients) {
      const exports = await t.ctx.db
        .selectFrom('data_exports as e')
        .innerJoin('patient_accounts as acc', 'acc.id', 'e.account_id')
        .select(['e.id', 'e.status'])
        .where('acc.cpr', '=', p.patient.cpr)
        .execute();
      expect(exports.map((e) => e.status)).toEqual(['ready']);
      expect(audits.filter((row) => (row.details as { exportId?: string }).exportId === exports[0]!.id)).toHaveLength(1);
      const mails = await t.ctx.db
        .selectFrom('outbox_mails')
        .select('id')
        .where('to_address', '=', p.email)
        .where('template', '=', 'patientDataExportReady')
        .execute();
      expect(mails).toHaveLength(1);
    }
  });
});
