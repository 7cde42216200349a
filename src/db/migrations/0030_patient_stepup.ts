import { sql, type Kysely } from 'kysely';

// A patient re-authenticates a sensitive profile action (delete the login, change the e-mail)
// with a fresh MitID login when they have no password: the flow remembers which patient session
// asked and for which action; the session then holds a short-lived, single-use step-up.
// A MitID login of a person without a login but with requests waiting at clinics keeps the
// request ids on the flow, so the login page can say where they wait (no CPR in any URL).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table mitid_flows drop constraint mitid_flows_purpose_check`.execute(db);
  await sql`alter table mitid_flows add constraint mitid_flows_purpose_check check (purpose in ('login', 'register', 'stepup'))`.execute(db);
  await sql`alter table mitid_flows add column patient_session_id uuid references patient_sessions(id) on delete cascade`.execute(db);
  await sql`alter table mitid_flows add column stepup_action text check (stepup_action in ('delete_login', 'change_email'))`.execute(db);
  await sql`alter table mitid_flows add column waiting_request_ids uuid[]`.execute(db);
  await sql`alter table patient_sessions add column stepped_up_at timestamptz`.execute(db);
  await sql`alter table patient_sessions add column stepup_action text check (stepup_action in ('delete_login', 'change_email'))`.execute(db);
}
