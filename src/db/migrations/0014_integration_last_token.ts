import { sql, type Kysely } from 'kysely';

// When an integration last got an access token, shown in Systemadgang so an admin can tell a
// dormant integration from a live one before revoking it. Written once per token (at most one per
// clinic system every few minutes), not per API request.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table integrations add column last_token_at timestamptz`.execute(db);
}
