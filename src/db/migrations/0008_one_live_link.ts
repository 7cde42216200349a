import { sql, type Kysely } from 'kysely';

// At most one unused link per login and purpose. Links a race left behind are voided first
// (all but the newest), as issuing a new link does.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    update patient_tokens t set used_at = now()
    where used_at is null and exists (
      select 1 from patient_tokens newer
      where newer.account_id = t.account_id and newer.purpose = t.purpose and newer.used_at is null
        and (newer.created_at, newer.token_hash) > (t.created_at, t.token_hash))`.execute(db);
  await sql`create unique index patient_tokens_one_unused_idx on patient_tokens (account_id, purpose) where used_at is null`.execute(db);
}
