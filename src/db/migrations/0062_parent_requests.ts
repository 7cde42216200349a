import { sql, type Kysely } from 'kysely';

// A custody holder asking a clinic for a child's Forældreadgang through Loginbestillinger: the
// request is the child's (cpr, name), asked by the parent (requested_by_*, added in 0061), and its
// reason says so. Approving it creates child_access, not a login.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table login_requests drop constraint login_requests_reason_check`.execute(db);
  await sql`alter table login_requests add constraint login_requests_reason_check
    check (reason in ('auto_approved', 'manual_clinic', 'not_own_doctor', 'registry_unavailable', 'no_mitid_clinic', 'parent_request'))`.execute(db);
  await sql`alter table login_requests add constraint login_requests_parent_request_check
    check ((reason = 'parent_request') = (requested_by_account_id is not null))`.execute(db);
}
