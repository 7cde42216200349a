import { sql, type Kysely } from 'kysely';

// "Min log": a person's rows are found by their CPR number across clinics (patients.cpr) and by
// their own login as actor (security events), newest first.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index patients_cpr_idx on patients (cpr)`.execute(db);
  await sql`create index audit_events_patient_actor_idx on audit_events (actor_id, id) where actor_type = 'patient'`.execute(db);
  await sql`create index audit_events_patient_id_idx on audit_events (patient_id, id)`.execute(db);
}
