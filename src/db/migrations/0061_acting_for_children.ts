import { sql, type Kysely } from 'kysely';

// Parents acting for children under 15.
// - clinics.parents_may_act_for_children: null means the specialty's default (on for almen praksis).
// - child_access: a child's portal access at a clinic without a login of its own; custody holders use
//   it. holder_cprs is the custody seen at the last lookup, only to find a parent's children: every
//   request asks the custody source again.
// - patient_sessions: how the session was proven (MitID LoA and name) and whom it acts for.
// - acted_by_*: who did it when a message, booking or renewal was made for someone else.
// - login_requests: a parent asking a clinic for a child's access.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table clinics add column parents_may_act_for_children boolean`.execute(db);
  await sql`create table child_access (
    id uuid primary key default gen_random_uuid(),
    clinic_id uuid not null references clinics(id),
    patient_id uuid not null references patients(id),
    rights text[] not null default '{}',
    wants_electronic_reply boolean not null default false,
    holder_cprs text[] not null default '{}',
    requested_by_account_id uuid references patient_accounts(id),
    created_at timestamptz not null,
    created_by uuid references staff_users(id),
    ended_at timestamptz
  )`.execute(db);
  await sql`create unique index child_access_live_idx on child_access (clinic_id, patient_id) where ended_at is null`.execute(db);
  await sql`create index child_access_holders_idx on child_access using gin (holder_cprs) where ended_at is null`.execute(db);
  await sql`alter table patient_sessions add column mitid_loa text`.execute(db);
  await sql`alter table patient_sessions add column mitid_name text`.execute(db);
  await sql`alter table patient_sessions add column acting_for_cpr text check (acting_for_cpr ~ '^[0-9]{10}$')`.execute(db);
  for (const table of ['econsultation_messages', 'appointments', 'renewal_requests']) {
    await sql`alter table ${sql.table(table)} add column acted_by_account_id uuid references patient_accounts(id)`.execute(db);
    await sql`alter table ${sql.table(table)} add column acted_by_name text`.execute(db);
    await sql`alter table ${sql.table(table)} add column acted_by_relation text check (acted_by_relation in ('mor', 'far', 'fuldmagt'))`.execute(db);
  }
  await sql`alter table login_requests add column requested_by_account_id uuid references patient_accounts(id)`.execute(db);
  await sql`alter table login_requests add column requested_by_name text`.execute(db);
}
