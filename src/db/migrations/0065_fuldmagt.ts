import { sql, type Kysely } from 'kysely';

// Fuldmagt between adults (issue 15).
// - fuldmagter: a giver's power of attorney for another adult, named by CPR number (matched against
//   the receiver's MitID login), limited to clinics, functions and a last valid day. A draft becomes
//   an offer only when the giver confirms it with a MitID step-up; the receiver accepts or declines.
//   Ended ones stay (status and ended_at) so the history of who acted for whom can be read.
// - clinics.accepts_power_of_attorney: "Modtager fuldmagter", on by default.
// - patient_sessions.acting_for_fuldmagt_id: the fuldmagt a receiver acts under now (checked again
//   on every request; it is not cleared on revocation so the receiver is told why, not silently
//   turned back into themselves).
// - the step-up action 'give_fuldmagt'.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table fuldmagter (
    id uuid primary key default gen_random_uuid(),
    giver_account_id uuid not null references patient_accounts(id),
    giver_name text not null,
    receiver_cpr text not null check (receiver_cpr ~ '^[0-9]{10}$'),
    receiver_name text not null,
    receiver_account_id uuid references patient_accounts(id),
    clinic_ids uuid[] not null check (cardinality(clinic_ids) > 0),
    functions text[] not null check (cardinality(functions) > 0 and functions <@ array['econsultation', 'booking', 'renewal']),
    valid_until date not null,
    status text not null check (status in ('draft', 'offered', 'accepted', 'declined', 'revoked', 'given_up')),
    created_at timestamptz not null,
    offered_at timestamptz,
    accepted_at timestamptz,
    ended_at timestamptz
  )`.execute(db);
  await sql`create index fuldmagter_receiver_idx on fuldmagter (receiver_cpr) where status in ('offered', 'accepted')`.execute(db);
  await sql`create index fuldmagter_giver_idx on fuldmagter (giver_account_id)`.execute(db);
  await sql`alter table clinics add column accepts_power_of_attorney boolean not null default true`.execute(db);
  await sql`alter table patient_sessions add column acting_for_fuldmagt_id uuid references fuldmagter(id) on delete set null`.execute(db);
  for (const table of ['mitid_flows', 'patient_sessions']) {
    await sql`alter table ${sql.table(table)} drop constraint ${sql.ref(`${table}_stepup_action_check`)}`.execute(db);
    await sql`alter table ${sql.table(table)} add constraint ${sql.ref(`${table}_stepup_action_check`)}
      check (stepup_action in ('delete_login', 'change_email', 'give_fuldmagt'))`.execute(db);
  }
}
