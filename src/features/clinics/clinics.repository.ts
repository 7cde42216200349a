import { sql } from 'kysely';
import type { Database } from '../../db/database.ts';

/** Every clinic with its settings and how many patient records and staff it has (support's list; no patient data). */
export function listClinicsForSupport(db: Database) {
  return db
    .selectFrom('clinics as c')
    .select([
      'c.id',
      'c.name',
      'c.slug',
      'c.specialty',
      'c.ydernummer',
      'c.uses_mitid',
      'c.self_registration',
      'c.auto_approval_allowed',
      'c.offered_functions',
      // count(*) is a bigint, which the pg driver hands over as a string.
      sql<string>`(select count(*) from patients p where p.clinic_id = c.id)`.as('patient_count'),
      sql<string>`(select count(*) from staff_memberships m where m.clinic_id = c.id)`.as('staff_count'),
    ])
    .orderBy('c.name')
    .execute();
}
