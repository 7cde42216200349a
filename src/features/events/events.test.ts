import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../audit/audit.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { buildClinic, buildLoginRequest } from '../../../test/helpers/factories.ts';
import { BearerClient, buildIntegration, tokenFor } from '../../../test/helpers/integrations.ts';
import { clinicWithSecretary, opret, uniqueEmail } from '../../../test/helpers/portal.ts';
import { startTestApp, type TestApp } from '../../../test/helpers/test-app.ts';
import { EVENT_TYPES } from './events.ts';

interface FeedPage {
  events: { id: string; type: string; clinicId: string; data: Record<string, string> }[];
  nextCursor: string | null;
}

describe.each(backends)('events for clinic systems on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(() => t.close());

  const feedClient = async (clinicIds: string[], scopes = ['events:read']) =>
    new BearerClient(t, await tokenFor(t, await buildIntegration(t, clinicIds, { scopes })));
  /** Reads the feed until `expected` events came; other test runs' writing transactions on the same server hold it back meanwhile. */
  const drain = async (epj: BearerClient, after: string | null, expected: number) => {
    const seen: FeedPage['events'] = [];
    let cursor = after;
    const deadline = Date.now() + 80_000;
    while (seen.length < expected && Date.now() < deadline) {
      const page = (await epj.get(`/api/events?limit=50${cursor ? `&after=${cursor}` : ''}`)).json<FeedPage>();
      seen.push(...page.events);
      cursor = page.nextCursor;
      if (page.events.length === 0 && seen.length < expected) await sleep(25);
    }
    return { seen, cursor };
  };

  it('each event type is written in the transaction of its change, thin (ids only), and not when the change rolls back', async () => {
    const clinic = await buildClinic(t.ctx.db);
    const actions: [string, Record<string, unknown>][] = [
      ['registration.queued', { reason: 'manual_clinic', requestId: 'r1' }],
      ['portal.request_approved', { requestId: 'r1', rights: ['booking'] }],
      ['portal.rights_changed', { before: { rights: [] }, after: { rights: ['booking'] } }],
      ['econsultation.answered', { threadId: 't1', noticeMailed: true }],
      ['booking.booked', { slotId: 's1', appointmentId: 'a1' }],
      ['booking.cancelled', { appointmentId: 'a1' }],
      ['renewal.requested', { medicationId: 'm1', renewalId: 'n1' }],
      ['portal.login_deleted', { rights: ['booking'] }],
    ];
    await t.ctx.db.transaction().execute(async (trx) => {
      for (const [action, details] of actions) {
        await audit(trx, { type: 'system', id: null, ip: null }, t.clock.now(), {
          action,
          clinicId: clinic.id,
          patientId: '00000000-0000-4000-8000-000000000001',
          details,
        });
      }
    });
    const rolledBack = t.ctx.db.transaction().execute(async (trx) => {
      await audit(trx, { type: 'system', id: null, ip: null }, t.clock.now(), { action: 'booking.booked', clinicId: clinic.id, details: { slotId: 's2' } });
      throw new Error('the change failed');
    });
    await expect(rolledBack).rejects.toThrow('the change failed');
    const rows = await t.ctx.db.selectFrom('events').select(['type', 'data']).where('clinic_id', '=', clinic.id).orderBy('id').execute();
    expect(rows.map((r) => r.type)).toEqual([
      'login_request.created',
      'login_request.handled',
      'portal_access.changed',
      'econsultation.message_created',
      'appointment.booked',
      'appointment.cancelled',
      'renewal.requested',
      'patient_account.deleted',
    ]);
    expect(new Set(rows.map((r) => r.type))).toEqual(new Set(EVENT_TYPES));
    expect(rows[3]!.data).toEqual({ patientId: '00000000-0000-4000-8000-000000000001', threadId: 't1' });
    expect(rows[2]!.data).toEqual({ patientId: '00000000-0000-4000-8000-000000000001' });
  });

  it('Opret and an approved login request reach the pull feed of the clinic only, with ids and no personal data', { timeout: 90_000 }, async () => {
    const { clinic, secretary, portalUrl, patient } = await clinicWithSecretary(t);
    const other = await buildClinic(t.ctx.db);
    const epj = await feedClient([clinic.id]);
    const start = await drain(epj, null, 0);
    const email = uniqueEmail();
    await opret(t, secretary, portalUrl, email);
    const request = await buildLoginRequest(t.ctx.db, clinic.id);
    expect((await secretary.post(`/api/login-requests/${request.id}/approve`, { rights: ['booking'] })).statusCode).toBe(200);
    const foreignRequest = await buildLoginRequest(t.ctx.db, other.id);
    const otherSecretary = await clinicWithSecretary(t);
    await otherSecretary.secretary.post(`/api/login-requests/${foreignRequest.id}/approve`, { rights: [] });
    const { seen } = await drain(epj, start.cursor, 2);
    expect(seen.map((e) => e.type)).toEqual(['portal_access.changed', 'login_request.handled']);
    expect(seen.every((e) => e.clinicId === clinic.id)).toBe(true);
    expect(seen[0]!.data).toEqual({ patientId: patient.id });
    expect(seen[1]!.data).toMatchObject({ requestId: request.id });
    const text = JSON.stringify(seen);
    for (const secret of [patient.cpr, email, patient.family_name, request.cpr, request.email]) expect(text).not.toContain(secret);
    const noScope = await feedClient([clinic.id], ['patients:read']);
    expect((await noScope.get('/api/events')).json().error.code).toBe('insufficient_scope');
    expect((await epj.get(`/api/events?clinicId=${other.id}`)).statusCode).toBe(403);
  });

  it('never hands out an event behind the cursor while an older transaction is still open', { timeout: 90_000 }, async () => {
    const clinic = await buildClinic(t.ctx.db);
    const epj = await feedClient([clinic.id]);
    const start = await drain(epj, null, 0);
    let releaseA!: () => void;
    const aMayCommit = new Promise<void>((resolve) => (releaseA = resolve));
    let aWrote!: () => void;
    const aHasWritten = new Promise<void>((resolve) => (aWrote = resolve));
    // A takes its xid first, B inserts and commits while A is open, then A inserts and commits.
    const a = t.ctx.db.transaction().execute(async (trx) => {
      await audit(trx, { type: 'system', id: null, ip: null }, t.clock.now(), { action: 'booking.booked', clinicId: clinic.id, details: { slotId: 'A' } });
      aWrote();
      await aMayCommit;
    });
    await aHasWritten;
    await t.ctx.db.transaction().execute(async (trx) => {
      await audit(trx, { type: 'system', id: null, ip: null }, t.clock.now(), { action: 'booking.booked', clinicId: clinic.id, details: { slotId: 'B' } });
    });
    const whileOpen = (await epj.get(`/api/events?after=${start.cursor ?? ''}`)).json<FeedPage>();
    expect(whileOpen.events).toEqual([]);
    releaseA();
    await a;
    const { seen } = await drain(epj, start.cursor, 2);
    expect(seen.map((e) => e.data.slotId)).toEqual(['A', 'B']);
  });

  it('a polling client under concurrent writers receives every event exactly once', { timeout: 90_000 }, async () => {
    const clinic = await buildClinic(t.ctx.db);
    const epj = await feedClient([clinic.id]);
    const start = await drain(epj, null, 0);
    const writers = 6;
    const perWriter = 25;
    const state = { writing: true };
    const received: string[] = [];
    const poller = (async () => {
      let cursor = start.cursor;
      while (state.writing || received.length < writers * perWriter) {
        const page = (await epj.get(`/api/events?limit=7${cursor ? `&after=${cursor}` : ''}`)).json<FeedPage>();
        received.push(...page.events.map((e) => e.data.slotId ?? ''));
        cursor = page.nextCursor;
        if (page.events.length === 0) await sleep(5);
      }
    })();
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; i < perWriter; i++) {
          await t.ctx.db.transaction().execute(async (trx) => {
            // Some transactions take their xid before sleeping and insert the event after, so ids and commits interleave.
            if (i % 2 === 0) await trx.updateTable('clinics').set({ name: clinic.name }).where('id', '=', clinic.id).execute();
            await sleep(Math.random() * 4);
            await audit(trx, { type: 'system', id: null, ip: null }, t.clock.now(), {
              action: 'booking.booked',
              clinicId: clinic.id,
              details: { slotId: `${w}-${i}` },
            });
            await sleep(Math.random() * 4);
          });
        }
      }),
    );
    state.writing = false;
    await Promise.race([poller, sleep(80_000)]);
    expect(received).toHaveLength(writers * perWriter);
    expect(new Set(received).size).toBe(writers * perWriter);
  });
});
