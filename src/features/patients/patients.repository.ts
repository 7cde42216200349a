import { sql } from 'kysely';
import type { Database } from '../../db/database.ts';
export interface PatientSearch {
  clinicId: string;
  query: string;
  limit: number;
}

/**
 * Lists a clinic's patients. Digits search CPR from the start (with or without the dash); anything
 * else is a name prefix, given name first or family name first, case-insensitive, with aa = å
 * (patient_name_key, migration 0040). Both are range scans of indexes led by clinic_id, and the
 * clinic id is always part of the WHERE clause.
 */
export async function searchPatients(db: Database, { clinicId, query, limit }: PatientSearch) {
  const text = query.trim().split(/\s+/).join(' ');
  const digits = text.replace(/-/g, '');
  const matches = db.selectFrom('patients').select(['id', 'cpr', 'given_name', 'family_name']).where('clinic_id', '=', clinicId);
  let filtered = matches;
  if (/^\d{1,10}$/.test(digits)) {
    // A range rather than LIKE, so the (clinic_id, cpr) index serves it under any collation.
    filtered = matches.where('cpr', '>=', digits.padEnd(10, '0')).where('cpr', '<=', digits.padEnd(10, '9'));
  } else if (text) {
    const prefix = `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    filtered = matches.where((eb) =>
      eb.or([
        eb(sql<string>`patient_name_key(family_name || ' ' || given_name)`, 'like', sql<string>`patient_name_key(${prefix})`),
        eb(sql<string>`patient_name_key(given_name || ' ' || family_name)`, 'like', sql<string>`patient_name_key(${prefix})`),
      ]),
    );
  }
  if (filtered === matches) {
    return matches.orderBy('family_name').orderBy('given_name').orderBy('id').limit(limit).execute();
  }
  // The matches first (materialised), then their order: otherwise PostgreSQL may walk the whole
  // clinic in name order filtering row by row, hoping for the first page early; a prefix found
  // late in the alphabet or not at all then reads every patient of the clinic.
  return db
    .with(
      (cte) => cte('m').materialized(),
      () => filtered,
    )
    .selectFrom('m')
    .selectAll()
    .orderBy('family_name')
    .orderBy('given_name')
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function getPatientRecord(db: Database, clinicId: string, patientId: string) {
  return db
    .selectFrom('patients')
    .select(['id', 'cpr', 'given_name', 'family_name', 'address', 'postal_code', 'city', 'phone', 'email'])
    .where('clinic_id', '=', clinicId)
    .where('id', '=', patientId)
    .executeTakeFirst();
}
