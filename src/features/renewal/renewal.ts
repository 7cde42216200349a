import type { AppContext } from '../../context.ts';
import { AppError, errors } from '../../errors.ts';
import { audit, staffUserIdOf, type Actor } from '../audit/audit.ts';
import { actedBy, auditActing, requireRight, type PatientScope } from '../portal-functions/patient-scope.ts';

export async function addMedication(
  ctx: AppContext,
  clinicId: string,
  patientId: string,
  input: { name: string; dosage: string; habitForming: boolean; renewableOnline: boolean },
  actor: Actor,
) {
  if (input.habitForming && input.renewableOnline) {
    throw errors.validation('renewableOnline', {
      da: 'Afhængighedsskabende medicin kan aldrig fornyes online.',
      en: 'Habit-forming medicine can never be renewed online.',
    });
  }
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const patient = await trx.selectFrom('patients').select('id').where('id', '=', patientId).where('clinic_id', '=', clinicId).executeTakeFirst();
    if (!patient) throw errors.notFound();
    const row = await trx
      .insertInto('medications')
      .values({
        clinic_id: clinicId,
        patient_id: patientId,
        name: input.name.trim(),
        dosage: input.dosage.trim(),
        habit_forming: input.habitForming,
        renewable_online: input.renewableOnline,
        created_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(trx, actor, now, { action: 'renewal.medication_added', clinicId, patientId, details: { medicationId: row.id } });
    return row;
  });
}

/** The medication list with each item's latest renewal request: readable without the right. */
/** The staff view of a medication list: a patient who is not the clinic's answers 404, as the record does. */
export async function clinicMedicationList(ctx: AppContext, clinicId: string, patientId: string) {
  const patient = await ctx.db.selectFrom('patients').select('id').where('id', '=', patientId).where('clinic_id', '=', clinicId).executeTakeFirst();
  if (!patient) throw errors.notFound();
  return medicationList(ctx, clinicId, patientId);
}

export function medicationList(ctx: AppContext, clinicId: string, patientId: string) {
  return ctx.db
    .selectFrom('medications as m')
    .select(['m.id', 'm.name', 'm.dosage', 'm.habit_forming', 'm.renewable_online'])
    .select((eb) => [
      eb
        .selectFrom('renewal_requests as r')
        .select('r.status')
        .whereRef('r.medication_id', '=', 'm.id')
        .orderBy('r.requested_at', 'desc')
        .limit(1)
        .as('last_status'),
      eb
        .selectFrom('renewal_requests as r')
        .select('r.note')
        .whereRef('r.medication_id', '=', 'm.id')
        .orderBy('r.requested_at', 'desc')
        .limit(1)
        .as('last_note'),
    ])
    .where('m.clinic_id', '=', clinicId)
    .where('m.patient_id', '=', patientId)
    .orderBy('m.name')
    .execute();
}

export async function requestRenewal(ctx: AppContext, scope: PatientScope, medicationId: string, ip: string) {
  requireRight(scope, 'renewal');
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const med = await trx
      .selectFrom('medications')
      .select(['id', 'renewable_online'])
      .where('id', '=', medicationId)
      .where('clinic_id', '=', scope.clinicId)
      .where('patient_id', '=', scope.patientId)
      .forUpdate()
      .executeTakeFirst();
    if (!med) throw errors.notFound();
    if (!med.renewable_online) {
      throw new AppError(409, 'not_renewable_online', {
        da: 'Denne medicin kan ikke fornyes online. Kontakt klinikken.',
        en: 'This medicine cannot be renewed online. Contact the clinic.',
      });
    }
    const pending = await trx
      .selectFrom('renewal_requests')
      .select('id')
      .where('medication_id', '=', medicationId)
      .where('status', '=', 'requested')
      .executeTakeFirst();
    if (pending) throw new AppError(409, 'renewal_pending', { da: 'Der er allerede bedt om fornyelse.', en: 'A renewal has already been requested.' });
    const row = await trx
      .insertInto('renewal_requests')
      .values({ medication_id: medicationId, clinic_id: scope.clinicId, patient_id: scope.patientId, requested_at: now, ...actedBy(scope) })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(trx, { type: 'patient', id: scope.accountId, ip }, now, {
      action: 'renewal.requested',
      clinicId: scope.clinicId,
      patientId: scope.patientId,
      details: { medicationId, renewalId: row.id, ...auditActing(scope) },
    });
    return row;
  });
}

export function clinicRenewals(ctx: AppContext, clinicId: string) {
  return ctx.db
    .selectFrom('renewal_requests as r')
    .innerJoin('medications as m', 'm.id', 'r.medication_id')
    .innerJoin('patients as p', 'p.id', 'r.patient_id')
    .select([
      'r.id',
      'r.status',
      'r.note',
      'r.requested_at',
      'r.patient_id',
      'm.name as medication',
      'm.dosage',
      'p.given_name',
      'p.family_name',
      'r.acted_by_name',
      'r.acted_by_relation',
    ])
    .where('r.clinic_id', '=', clinicId)
    .orderBy('r.status', 'desc')
    .orderBy('r.requested_at')
    .limit(200)
    .execute();
}

export async function handleRenewal(
  ctx: AppContext,
  clinicId: string,
  requestId: string,
  decision: 'approved' | 'rejected',
  note: string | null,
  actor: Actor,
) {
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('renewal_requests')
      .set({ status: decision, note: note?.trim() || null, handled_at: now, handled_by: staffUserIdOf(actor) })
      .where('id', '=', requestId)
      .where('clinic_id', '=', clinicId)
      .where('status', '=', 'requested')
      .returning('patient_id')
      .executeTakeFirst();
    if (!updated)
      throw errors.conflict('renewal_handled', {
        da: 'Anmodningen er allerede behandlet eller findes ikke.',
        en: 'The request was already handled or does not exist.',
      });
    await audit(trx, actor, now, { action: `renewal.${decision}`, clinicId, patientId: updated.patient_id, details: { requestId } });
  });
}
