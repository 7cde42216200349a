import { sql, type Kysely } from 'kysely';

// Staff second factor: TOTP (secret encrypted with a key derived from SESSION_SECRET), one-time
// recovery codes (hashes only), a password-checked login waiting for its second factor, and who
// requires it (a clinic for its staff, support for everyone).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table staff_users
      add column totp_secret text,
      add column totp_pending_secret text,
      add column totp_enabled_at timestamptz,
      add column totp_last_step bigint`.execute(db);
  await sql`
    create table staff_recovery_codes (
      user_id uuid not null references staff_users (id) on delete cascade,
      code_hash text not null,
      used_at timestamptz,
      primary key (user_id, code_hash)
    )`.execute(db);
  await sql`
    create table staff_login_challenges (
      id uuid primary key default gen_random_uuid(),
      token_hash text not null unique,
      user_id uuid not null references staff_users (id) on delete cascade,
      created_at timestamptz not null,
      expires_at timestamptz not null,
      attempts integer not null default 0,
      used_at timestamptz
    )`.execute(db);
  await sql`alter table clinics add column require_staff_2fa boolean not null default false`.execute(db);
  await sql`
    create table platform_settings (
      id boolean primary key default true check (id),
      require_staff_2fa boolean not null default false
    )`.execute(db);
  await sql`insert into platform_settings default values`.execute(db);
}
