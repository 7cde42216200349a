import { sql } from 'kysely';
import type { Database } from '../../db/database.ts';
export interface PatientSearch {
  clinicId: string;
  query: string;
  limit: number;
}

/**
 * Lists a clinic's patients. Digits search CPR from the start (with or without the dash);
 * anything else searches the name. The clinic id is always part of the WHERE clause.
 */
export async function searchPatients(db: Database, { clinicId, query, limit }: PatientSearch) {
  let q = db
    .selectFrom('patients')
    .select(['id', 'cpr', 'given_name', 'family_name'])
    .where('clinic_id', '=', clinicId)
    .orderBy('family_name')
    .orderBy('given_name')
    .orderBy('id')
    .limit(limit);
  const text = query.trim();
  const digits = text.replace(/-/g, '');
  if (/^\d{1,10}$/.test(digits)) {
    q = q.where('cpr', 'like', `${digits}%`);
  } else if (text) {
    const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where(sql<string>`given_name || ' ' || family_name`, 'ilike', pattern);
  }
  return q.execute();
}

export async function getPatientRecord(db: Database, clinicId: string, patientId: string) {
  return db
    .selectFrom('patients')
    .select(['id', 'cpr', 'given_name', 'family_name', 'address', 'postal_code', 'city', 'phone', 'email'])
    .where('clinic_id', '=', clinicId)
    .where('id', '=', patientId)
    .executeTakeFirst();
}
