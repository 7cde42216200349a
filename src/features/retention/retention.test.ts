import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hours } from '../../clock.ts';
import { loadConfig } from '../../config.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { buildLoginRequest } from '../../../test/helpers/factories.ts';
import { activatedPatient, clinicWithSecretary, PATIENT_PASSWORD, patientLogin } from '../../../test/helpers/portal.ts';
import { startTestApp, type TestApp } from '../../../test/helpers/test-app.ts';

const days = (n: number) => hours(24 * n);
import { RetentionWorker } from './retention-worker.ts';

const log = {
  info: (): void => {
    // The round's counts are asserted from the database.
  },
  error: (): void => {
    // A failing round fails the assertions below.
  },
};

describe.each(backends)('data that expires (%s)', (backend) => {
  let t: TestApp;
  let worker: RetentionWorker;
  beforeAll(async () => {
    t = await startTestApp(backend);
    worker = new RetentionWorker({
      db: t.ctx.db,
      clock: t.clock,
      periods: loadConfig({ DATA_DIR: '/nonexistent', SESSION_SECRET: 'x'.repeat(40) }).retention,
      log,
    });
  });
  afterAll(() => t.close());

  const rows = async (table: 'patient_tokens' | 'patient_login_challenges' | 'patient_sessions' | 'login_requests', accountOrClinic: string) => {
    if (table === 'login_requests') return (await t.ctx.db.selectFrom(table).select('id').where('clinic_id', '=', accountOrClinic).execute()).length;
    return (await t.ctx.db.selectFrom(table).selectAll().where('account_id', '=', accountOrClinic).execute()).length;
  };

  it('keeps used links, codes and ended sessions for their period and deletes them after it', async () => {
    const { patient, email } = await activatedPatient(t);
    await patientLogin(t, patient.cpr, email);
    const account = await t.ctx.db.selectFrom('patient_accounts').select('id').where('cpr', '=', patient.cpr).executeTakeFirstOrThrow();
    expect(await rows('patient_tokens', account.id)).toBe(1); // the used activation link
    expect(await rows('patient_login_challenges', account.id)).toBe(1);

    t.clock.advance(days(29));
    await worker.runOnce();
    expect(await rows('patient_tokens', account.id)).toBe(1); // within 30 days: kept
    expect(await rows('patient_sessions', account.id)).toBe(0); // expired for more than a day: gone

    t.clock.advance(days(2));
    await worker.runOnce();
    expect(await rows('patient_tokens', account.id)).toBe(0);
    expect(await rows('patient_login_challenges', account.id)).toBe(0);
  });

  it('deletes a rejected login request after a year, and never an open one', async () => {
    const { clinic } = await clinicWithSecretary(t);
    const rejected = await buildLoginRequest(t.ctx.db, clinic.id);
    await t.ctx.db.updateTable('login_requests').set({ status: 'rejected', handled_at: t.clock.now() }).where('id', '=', rejected.id).execute();
    await buildLoginRequest(t.ctx.db, clinic.id); // open
    t.clock.advance(days(364));
    await worker.runOnce();
    expect(await rows('login_requests', clinic.id)).toBe(2);
    t.clock.advance(days(2));
    await worker.runOnce();
    expect(await rows('login_requests', clinic.id)).toBe(1);
  });

  it('deletes MitID flow state a day after it expired', async () => {
    await t.ctx.db
      .insertInto('mitid_flows')
      .values({
        browser_hash: 'b',
        state: 's',
        nonce: 'n',
        code_verifier: 'v',
        purpose: 'login',
        clinic_id: null,
        created_at: t.clock.now(),
        expires_at: new Date(t.clock.now().getTime() + 600_000),
        used_at: null,
      })
      .execute();
    const count = async () => (await t.ctx.db.selectFrom('mitid_flows').select('id').where('state', '=', 's').execute()).length;
    t.clock.advance(hours(20));
    await worker.runOnce();
    expect(await count()).toBe(1);
    t.clock.advance(hours(5));
    await worker.runOnce();
    expect(await count()).toBe(0);
  });

  it("erases a deleted login's credentials and contact data at once and keeps the ended memberships", async () => {
    const { patient, email } = await activatedPatient(t);
    const client = await patientLogin(t, patient.cpr, email);
    expect((await client.delete('/api/patient/me', { password: PATIENT_PASSWORD })).statusCode).toBe(200);
    const account = await t.ctx.db.selectFrom('patient_accounts').selectAll().where('cpr', '=', patient.cpr).executeTakeFirstOrThrow();
    expect(account).toMatchObject({ password_hash: null, email: null, phone: null, mitid_uuid: null });
    const memberships = await t.ctx.db.selectFrom('portal_memberships').select(['ended_at']).where('account_id', '=', account.id).execute();
    expect(memberships).toHaveLength(1);
    expect(memberships[0]?.ended_at).not.toBeNull();
  });

  it('deletes a fuldmagt draft never confirmed after a day, and an ended fuldmagt a year after it ended', async () => {
    const giver = await activatedPatient(t);
    const account = await t.ctx.db.selectFrom('patient_accounts').select('id').where('cpr', '=', giver.patient.cpr).executeTakeFirstOrThrow();
    const now = t.clock.now();
    const fuldmagt = (status: 'draft' | 'revoked' | 'accepted', validUntil: string) => ({
      giver_account_id: account.id,
      giver_name: 'Giver',
      receiver_cpr: '0101701234',
      receiver_name: 'Modtager',
      clinic_ids: [giver.clinic.id],
      functions: ['econsultation' as const],
      valid_until: validUntil,
      status,
      created_at: now,
      ended_at: status === 'revoked' ? now : null,
    });
    const inAYear = new Date(now.getTime() + 365 * 86_400_000).toISOString().slice(0, 10);
    await t.ctx.db
      .insertInto('fuldmagter')
      .values([fuldmagt('draft', inAYear), fuldmagt('revoked', inAYear), fuldmagt('accepted', inAYear)])
      .execute();
    const left = async () =>
      (await t.ctx.db.selectFrom('fuldmagter').select('status').where('giver_account_id', '=', account.id).orderBy('status').execute()).map((r) => r.status);
    t.clock.advance(hours(25));
    await worker.runOnce();
    expect(await left()).toEqual(['accepted', 'revoked']);
    t.clock.advance(days(364));
    await worker.runOnce();
    expect(await left()).toEqual(['accepted']); // still valid: its last day is only now
    t.clock.advance(days(366));
    await worker.runOnce();
    expect(await left()).toEqual([]); // past its last day for a year
  });
});
