import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/databases.ts';
import { buildClinic, buildPatient } from '../../../test/helpers/factories.ts';
import { BearerClient, buildIntegration, tokenFor } from '../../../test/helpers/integrations.ts';
import { startTestApp, type TestApp } from '../../../test/helpers/test-app.ts';

interface Line {
  line: number;
  result: string;
  slotId?: string;
  error?: { code: string; field?: string };
}

describe.each(backends)('bookable times kept in sync by the clinic system on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(() => t.close());

  const epjFor = async (scopes = ['bookings:write']) => {
    const clinic = await buildClinic(t.ctx.db);
    const credentials = await buildIntegration(t, [clinic.id], { scopes });
    const epj = new BearerClient(t, await tokenFor(t, credentials));
    const base = `/api/clinics/${clinic.id}/slots`;
    return { clinic, epj, credentials, url: `${base}/by-external-id`, bulkUrl: `${base}/bulk` };
  };
  const daysAhead = (days: number) => new Date(t.clock.now().getTime() + days * 86_400_000).toISOString();
  const slot = () => ({ externalId: 'T-1', practitioner: 'Læge Hansen', startsAt: daysAhead(7), durationMinutes: 15, kind: 'Konsultation' });
  const writes = async (clinicId: string) => ({
    audits: (await t.ctx.db.selectFrom('audit_events').select('id').where('clinic_id', '=', clinicId).execute()).length,
    events: (await t.ctx.db.selectFrom('events').select('id').where('clinic_id', '=', clinicId).execute()).length,
  });

  it('creates, answers unchanged writing nothing, then moves a free time, audited with the integration as actor', async () => {
    const { clinic, epj, url, credentials } = await epjFor();
    const time = slot();
    const first = await epj.put(url, time);
    expect(first.statusCode, first.body).toBe(200);
    const { slotId } = first.json<{ slotId: string }>();
    expect(first.json()).toEqual({ result: 'created', slotId, externalId: 'T-1' });
    const before = await writes(clinic.id);
    // The same instant written with another offset is the same time.
    const sameInstant = new Date(time.startsAt).toISOString().replace('Z', '+00:00');
    expect((await epj.put(url, { ...time, startsAt: sameInstant })).json()).toEqual({ result: 'unchanged', slotId, externalId: 'T-1' });
    expect(await writes(clinic.id)).toEqual(before);
    const moved = await epj.put(url, { ...time, startsAt: daysAhead(8), durationMinutes: 30 });
    expect(moved.json()).toEqual({ result: 'updated', slotId, externalId: 'T-1' });
    const row = await t.ctx.db.selectFrom('booking_slots').selectAll().where('id', '=', slotId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ clinic_id: clinic.id, external_id: 'T-1', duration_minutes: 30 });
    expect(row.starts_at.toISOString()).toBe(daysAhead(8));
    const audits = await t.ctx.db
      .selectFrom('audit_events')
      .select(['action', 'actor_type', 'actor_id'])
      .where('clinic_id', '=', clinic.id)
      .where('action', 'like', 'booking.%')
      .orderBy('id')
      .execute();
    expect(audits).toEqual([
      { action: 'booking.slot_published', actor_type: 'integration', actor_id: credentials.clientId },
      { action: 'booking.slot_updated', actor_type: 'integration', actor_id: credentials.clientId },
    ]);
  });

  it('never moves a booked time: 409 slot_booked, the booking and the time untouched; unchanged still answers unchanged', async () => {
    const { clinic, epj, url } = await epjFor();
    const time = slot();
    const { slotId } = (await epj.put(url, time)).json<{ slotId: string }>();
    const patient = await buildPatient(t.ctx.db, clinic.id);
    await t.ctx.db.insertInto('appointments').values({ slot_id: slotId, clinic_id: clinic.id, patient_id: patient.id, booked_at: t.clock.now() }).execute();
    const refused = await epj.put(url, { ...time, startsAt: daysAhead(9) });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('slot_booked');
    const row = await t.ctx.db.selectFrom('booking_slots').select('starts_at').where('id', '=', slotId).executeTakeFirstOrThrow();
    expect(row.starts_at.toISOString()).toBe(time.startsAt);
    expect((await epj.put(url, time)).json().result).toBe('unchanged');
    // Once the booking is cancelled the time is free to change.
    await t.ctx.db.updateTable('appointments').set({ cancelled_at: t.clock.now() }).where('slot_id', '=', slotId).execute();
    expect((await epj.put(url, { ...time, startsAt: daysAhead(9) })).json().result).toBe('updated');
  });

  it('refuses a new time in the past and a time that is not ISO 8601 with an offset', async () => {
    const { epj, url } = await epjFor();
    const past = await epj.put(url, { ...slot(), startsAt: daysAhead(-1) });
    expect(past.statusCode).toBe(400);
    expect(past.json().error.field).toBe('startsAt');
    const vague = await epj.put(url, { ...slot(), startsAt: 'next tuesday' });
    expect(vague.statusCode).toBe(400);
  });

  it('bulk: one result per line, bad lines fail alone', async () => {
    const { clinic, epj, bulkUrl } = await epjFor();
    const lines = [
      slot(),
      { ...slot(), externalId: 'T-2', durationMinutes: 1 },
      { ...slot(), externalId: 'T-3', startsAt: '2026-13-40T99:00:00Z' },
      { ...slot(), startsAt: daysAhead(3) }, // same externalId as line 1
      { ...slot(), externalId: 'T-5', extra: 'field' },
      { ...slot(), externalId: 'T-6', startsAt: daysAhead(2) },
    ];
    const response = await epj.post(bulkUrl, lines);
    expect(response.statusCode, response.body).toBe(200);
    const results = response.json<{ results: Line[] }>().results;
    expect(results.map((r) => [r.line, r.result, r.error?.code, r.error?.field])).toEqual([
      [1, 'created', undefined, undefined],
      [2, 'error', 'validation_failed', 'durationMinutes'],
      [3, 'error', 'validation_failed', 'startsAt'],
      [4, 'error', 'duplicate_line', undefined],
      [5, 'error', 'validation_failed', 'extra'],
      [6, 'created', undefined, undefined],
    ]);
    const stored = await t.ctx.db.selectFrom('booking_slots').select('external_id').where('clinic_id', '=', clinic.id).orderBy('external_id').execute();
    expect(stored.map((s) => s.external_id)).toEqual(['T-1', 'T-6']);
  });

  it('needs bookings:write, and another clinic answers 403', async () => {
    const { epj, url } = await epjFor(['bookings:read', 'renewals:write']);
    const refused = await epj.put(url, slot());
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('insufficient_scope');
    const { epj: other } = await epjFor();
    const { clinic } = await epjFor();
    expect((await other.put(`/api/clinics/${clinic.id}/slots/by-external-id`, slot())).statusCode).toBe(403);
    expect((await other.post(`/api/clinics/${clinic.id}/slots/bulk`, [slot()])).statusCode).toBe(403);
    expect(await t.ctx.db.selectFrom('booking_slots').select('id').where('clinic_id', '=', clinic.id).execute()).toEqual([]);
  });
});
