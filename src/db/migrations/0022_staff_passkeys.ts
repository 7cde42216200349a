import { sql, type Kysely } from 'kysely';

// Staff passkeys (WebAuthn): the public key and signature counter of each credential, and the
// challenge a registration or a waiting login must sign.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table staff_passkeys (
      id text primary key,
      user_id uuid not null references staff_users (id) on delete cascade,
      public_key bytea not null,
      counter bigint not null,
      transports text[] not null default '{}',
      created_at timestamptz not null,
      last_used_at timestamptz
    )`.execute(db);
  await sql`create index staff_passkeys_user_idx on staff_passkeys (user_id)`.execute(db);
  await sql`alter table staff_users add column webauthn_challenge text`.execute(db);
  await sql`alter table staff_login_challenges add column webauthn_challenge text`.execute(db);
}
