import { sql, type Kysely } from 'kysely';

// The clinic system's own ids, so it can keep patients (and its medication lists and bookable
// times) in sync by upsert. Unique per clinic; null for rows made in the portal.
const statements = [
  `alter table patients add column external_id text check (length(external_id) between 1 and 200)`,
  `create unique index patients_external_id_key on patients (clinic_id, external_id) where external_id is not null`,
  `alter table medications add column external_id text check (length(external_id) between 1 and 200)`,
  `create unique index medications_external_id_key on medications (clinic_id, external_id) where external_id is not null`,
  `alter table booking_slots add column external_id text check (length(external_id) between 1 and 200)`,
  `create unique index booking_slots_external_id_key on booking_slots (clinic_id, external_id) where external_id is not null`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
