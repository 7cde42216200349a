import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { backends } from '../../../test/helpers/databases.ts';
import { buildClinic, buildPatient } from '../../../test/helpers/factories.ts';
import { startTestApp, type TestApp } from '../../../test/helpers/test-app.ts';
import type { PatientScope } from '../portal-functions/patient-scope.ts';
import { bookSlot } from './booking.ts';

// Races need real concurrent connections: PostgreSQL only (every backend here is).
describe.each(backends)('booking while the clinic system moves the time, on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(() => t.close());

  it('refuses the booking when the offered time was moved before it could be booked, and books nothing', async () => {
    const clinic = await buildClinic(t.ctx.db);
    const patient = await buildPatient(t.ctx.db, clinic.id);
    const offered = new Date(t.clock.now().getTime() + 7 * 86_400_000);
    const slot = await t.ctx.db
      .insertInto('booking_slots')
      .values({ clinic_id: clinic.id, practitioner: 'Læge', starts_at: offered, duration_minutes: 15, kind: 'Konsultation', created_at: t.clock.now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    const scope: PatientScope = {
      accountId: '00000000-0000-4000-8000-000000000001',
      clinicId: clinic.id,
      patientId: patient.id,
      rights: ['booking'],
      wantsElectronicReply: false,
      clinicName: clinic.name,
      econsultationMaxLength: 2000,
      bookingMinHoursAhead: 0,
      bookingMaxDaysAhead: 60,
      under15: false,
      actingFor: null,
    };

    // The clinic system's upsert: locks the free time and moves it to tomorrow, and holds its transaction open.
    let commit = (): void => undefined;
    const held = new Promise<void>((resolve) => (commit = resolve));
    let locked = (): void => undefined;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const move = t.ctx.db.transaction().execute(async (trx) => {
      await trx.selectFrom('booking_slots').select('id').where('id', '=', slot.id).forUpdate().execute();
      await trx
        .updateTable('booking_slots')
        .set({ starts_at: new Date(t.clock.now().getTime() + 86_400_000) })
        .where('id', '=', slot.id)
        .execute();
      locked();
      await held;
    });
    await isLocked;
    // The patient books the time the page showed; the booking has to wait for the move.
    const booking = bookSlot(t.ctx, scope, slot.id, '127.0.0.1').then(
      () => 'booked',
      (error: unknown) => (error as { code?: string }).code,
    );
    await vi.waitFor(
      async () => {
        const waiting = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock'`.execute(t.ctx.db);
        expect(waiting.rows[0]?.n).toBeGreaterThan(0);
      },
      { timeout: 10_000, interval: 50 },
    );
    commit();
    await move;
    expect(await booking).toBe('slot_taken');
    expect(await t.ctx.db.selectFrom('appointments').select('id').where('slot_id', '=', slot.id).execute()).toEqual([]);
  });
});
