import { sql, type Kysely } from 'kysely';

// Staff search patients by name prefix within one clinic: "Jens" finds Jens Hansen and Anne
// Jensen, "anne han" finds Anne Hansen, "Sørensen" and "SØRENSEN" find Søren Sørensen, "Aagesen"
// finds Ågesen (the old spelling aa = å). Two B-tree indexes on a normalised name, family name
// first and given name first, each led by clinic_id: a search is two range scans inside the clinic,
// so its cost follows the clinic's matches, not the country's patients. text_pattern_ops makes
// LIKE 'prefix%' use them whatever the database's collation. We chose this over pg_trgm: a
// trigram GIN index is not ordered by clinic, so a common name ("Jensen", 5% of Danes) reads a
// national posting list before the clinic filter, and that grows with the country; prefix search is
// also what staff type at the front desk.
export async function up(db: Kysely<unknown>): Promise<void> {
  // lower() folds Æ, Ø, Å under the database's UTF-8 ctype; aa and å compare equal.
  await sql`create function patient_name_key(name text) returns text language sql immutable parallel safe
    return replace(lower(name), 'aa', 'å')`.execute(db);
  await sql`create index patients_family_name_key_idx on patients
    (clinic_id, patient_name_key(family_name || ' ' || given_name) text_pattern_ops)`.execute(db);
  await sql`create index patients_given_name_key_idx on patients
    (clinic_id, patient_name_key(given_name || ' ' || family_name) text_pattern_ops)`.execute(db);
}
