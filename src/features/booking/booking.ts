import type { AppContext } from '../../context.ts';
import { AppError, errors } from '../../errors.ts';
import { audit, type Actor } from '../audit/audit.ts';
import { actedBy, auditActing, requireRight, type PatientScope } from '../portal-functions/patient-scope.ts';

export const CANCEL_DEADLINE_MS = 48 * 3_600_000;

export async function publishSlot(
  ctx: AppContext,
  clinicId: string,
  input: { practitioner: string; startsAt: string; durationMinutes: number; kind: string },
  actor: Actor,
) {
  const startsAt = new Date(input.startsAt);
  if (Number.isNaN(startsAt.getTime())) throw errors.validation('startsAt', { da: 'Ugyldigt tidspunkt.', en: 'Invalid time.' });
  if (startsAt <= ctx.clock.now()) throw errors.validation('startsAt', { da: 'Tiden skal ligge i fremtiden.', en: 'The time must be in the future.' });
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const slot = await trx
      .insertInto('booking_slots')
      .values({
        clinic_id: clinicId,
        practitioner: input.practitioner.trim(),
        starts_at: startsAt,
        duration_minutes: input.durationMinutes,
        kind: input.kind.trim(),
        created_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(trx, actor, now, { action: 'booking.slot_published', clinicId, details: { slotId: slot.id } });
    return slot;
  });
}

export function clinicSlots(ctx: AppContext, clinicId: string) {
  return ctx.db
    .selectFrom('booking_slots as s')
    .leftJoin('appointments as a', (join) => join.onRef('a.slot_id', '=', 's.id').on('a.cancelled_at', 'is', null))
    .leftJoin('patients as p', 'p.id', 'a.patient_id')
    .select([
      's.id',
      's.practitioner',
      's.starts_at',
      's.duration_minutes',
      's.kind',
      'p.given_name',
      'p.family_name',
      'a.acted_by_name',
      'a.acted_by_relation',
    ])
    .where('s.clinic_id', '=', clinicId)
    .where('s.starts_at', '>=', new Date(ctx.clock.now().getTime() - 86_400_000))
    .orderBy('s.starts_at')
    .limit(500)
    .execute();
}

/** Free slots inside the clinic's booking window (how soon, how far ahead). */
export function freeSlots(ctx: AppContext, scope: PatientScope) {
  const now = ctx.clock.now().getTime();
  return ctx.db
    .selectFrom('booking_slots as s')
    .select(['s.id', 's.practitioner', 's.starts_at', 's.duration_minutes', 's.kind'])
    .where('s.clinic_id', '=', scope.clinicId)
    .where('s.starts_at', '>=', new Date(now + scope.bookingMinHoursAhead * 3_600_000))
    .where('s.starts_at', '<=', new Date(now + scope.bookingMaxDaysAhead * 86_400_000))
    .where((eb) => eb.not(eb.exists(eb.selectFrom('appointments as a').select('a.id').whereRef('a.slot_id', '=', 's.id').where('a.cancelled_at', 'is', null))))
    .orderBy('s.starts_at')
    .limit(200)
    .execute();
}

/** "Dine tider": readable without the right. */
export function myAppointments(ctx: AppContext, scope: PatientScope) {
  return ctx.db
    .selectFrom('appointments as a')
    .innerJoin('booking_slots as s', 's.id', 'a.slot_id')
    .select(['a.id', 'a.cancelled_at', 'a.slot_id', 's.practitioner', 's.starts_at', 's.duration_minutes', 's.kind'])
    .where('a.patient_id', '=', scope.patientId)
    .where('a.clinic_id', '=', scope.clinicId)
    .orderBy('s.starts_at')
    .execute();
}

const slotTaken = () =>
  new AppError(409, 'slot_taken', {
    da: 'Tiden er netop blevet booket af en anden. Vælg en anden tid.',
    en: 'The time was just booked by someone else. Choose another time.',
  });

/** Books a slot. The partial unique index on live appointments makes a double booking impossible. */
export async function bookSlot(ctx: AppContext, scope: PatientScope, slotId: string, ip: string) {
  requireRight(scope, 'booking');
  const now = ctx.clock.now();
  const slot = (await freeSlots(ctx, scope)).find((s) => s.id === slotId);
  if (!slot) throw slotTaken();
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      // The clinic system may move a free time (slot upsert, which locks it FOR UPDATE) between the
      // page the patient saw and this booking. Lock the time against such a change now and book it
      // only if it is still the time that was offered; otherwise the patient would hold a time they
      // never chose.
      const current = await trx
        .selectFrom('booking_slots')
        .select(['starts_at', 'duration_minutes'])
        .where('id', '=', slotId)
        .where('clinic_id', '=', scope.clinicId)
        .forShare()
        .executeTakeFirst();
      if (current?.starts_at.getTime() !== slot.starts_at.getTime() || current.duration_minutes !== slot.duration_minutes) throw slotTaken();
      const appointment = await trx
        .insertInto('appointments')
        .values({ slot_id: slotId, clinic_id: scope.clinicId, patient_id: scope.patientId, booked_at: now, ...actedBy(scope) })
        .returning('id')
        .executeTakeFirstOrThrow();
      await audit(trx, { type: 'patient', id: scope.accountId, ip }, now, {
        action: 'booking.booked',
        clinicId: scope.clinicId,
        patientId: scope.patientId,
        details: { slotId, appointmentId: appointment.id, ...auditActing(scope) },
      });
      return appointment;
    });
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw slotTaken();
    throw error;
  }
}

/** Cancels the patient's own appointment, until 48 hours before it starts. */
export async function cancelAppointment(ctx: AppContext, scope: PatientScope, appointmentId: string, ip: string) {
  requireRight(scope, 'booking');
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const found = await trx
      .selectFrom('appointments as a')
      .innerJoin('booking_slots as s', 's.id', 'a.slot_id')
      .select(['a.id', 'a.cancelled_at', 's.starts_at'])
      .where('a.id', '=', appointmentId)
      .where('a.patient_id', '=', scope.patientId)
      .where('a.clinic_id', '=', scope.clinicId)
      .forUpdate('a')
      .executeTakeFirst();
    if (!found || found.cancelled_at) throw errors.notFound();
    if (found.starts_at.getTime() - now.getTime() < CANCEL_DEADLINE_MS) {
      throw new AppError(409, 'too_late_to_cancel', {
        da: 'Tiden kan ikke aflyses online mindre end 48 timer før. Ring til klinikken.',
        en: 'The appointment cannot be cancelled online less than 48 hours before. Call the clinic.',
      });
    }
    await trx.updateTable('appointments').set({ cancelled_at: now }).where('id', '=', appointmentId).execute();
    await audit(trx, { type: 'patient', id: scope.accountId, ip }, now, {
      action: 'booking.cancelled',
      clinicId: scope.clinicId,
      patientId: scope.patientId,
      details: { appointmentId, ...auditActing(scope) },
    });
  });
}
