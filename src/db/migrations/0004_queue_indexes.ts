import { sql, type Kysely } from 'kysely';

// The queue asks, per request, whether the person had a membership at the clinic before.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index portal_memberships_account_clinic_idx on portal_memberships (account_id, clinic_id, ended_at)`.execute(db);
}
