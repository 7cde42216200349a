import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';

export interface MedicationValues {
  external_id: string;
  name: string;
  dosage: string;
  habit_forming: boolean;
  renewable_online: boolean;
}

export interface SyncedMedication extends MedicationValues {
  id: string;
  patient_id: string;
}

/** The clinic's medications with these external ids, locked for the upsert. */
export async function lockMedications(trx: Kysely<DB>, clinicId: string, externalIds: string[]): Promise<SyncedMedication[]> {
  const rows = await trx
    .selectFrom('medications')
    .select(['id', 'patient_id', 'external_id', 'name', 'dosage', 'habit_forming', 'renewable_online'])
    .where('clinic_id', '=', clinicId)
    .where('external_id', '=', (eb) => eb.fn.any(eb.val(externalIds)))
    .forUpdate()
    .execute();
  return rows.map((r) => ({ ...r, external_id: r.external_id ?? '' }));
}

/** The clinic's patients named by the lines, by the clinic system's id or the portal's. */
export async function findClinicPatients(
  trx: Kysely<DB>,
  clinicId: string,
  refs: { externalIds: string[]; ids: string[] },
): Promise<{ id: string; external_id: string | null }[]> {
  return trx
    .selectFrom('patients')
    .select(['id', 'external_id'])
    .where('clinic_id', '=', clinicId)
    .where((eb) => eb.or([eb('external_id', '=', eb.fn.any(eb.val(refs.externalIds))), eb('id', '=', eb.fn.any(eb.val(refs.ids)))]))
    .execute();
}

export async function insertMedication(trx: Kysely<DB>, clinicId: string, patientId: string, values: MedicationValues, now: Date): Promise<string> {
  const row = await trx
    .insertInto('medications')
    .values({ clinic_id: clinicId, patient_id: patientId, created_at: now, ...values })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateMedication(trx: Kysely<DB>, clinicId: string, id: string, values: MedicationValues): Promise<void> {
  await trx.updateTable('medications').set(values).where('id', '=', id).where('clinic_id', '=', clinicId).executeTakeFirstOrThrow();
}
