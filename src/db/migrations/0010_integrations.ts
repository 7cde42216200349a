import { sql, type Kysely } from 'kysely';

// Machine clients of clinic systems (EPJ): "Systemadgang". An integration belongs to one clinic or to
// a vendor with grants to named clinics; its secrets are stored hashed and can overlap while rotated.
const statements = [
  `create table integrations (
    id uuid primary key default gen_random_uuid(),
    name text not null check (length(name) between 1 and 200),
    kind text not null check (kind in ('clinic', 'vendor')),
    scopes text[] not null,
    -- A public JWK for private_key_jwt (RFC 7523); null when the client uses a secret only.
    public_jwk jsonb,
    rate_limit_per_minute integer not null default 1200 check (rate_limit_per_minute > 0),
    created_at timestamptz not null,
    created_by uuid,
    revoked_at timestamptz
  )`,
  `create table integration_clinics (
    integration_id uuid not null references integrations(id) on delete cascade,
    clinic_id uuid not null references clinics(id) on delete cascade,
    primary key (integration_id, clinic_id)
  )`,
  `create index integration_clinics_clinic_idx on integration_clinics (clinic_id)`,
  `create table integration_secrets (
    id uuid primary key default gen_random_uuid(),
    integration_id uuid not null references integrations(id) on delete cascade,
    secret_hash text not null unique,
    created_at timestamptz not null,
    -- Null while current; set to the end of the overlap when a newer secret replaces it.
    expires_at timestamptz
  )`,
  `create index integration_secrets_integration_idx on integration_secrets (integration_id)`,
  // A client assertion's jti may be used once (RFC 7523 §3); kept until the assertion expires.
  `create table oauth_used_jtis (
    integration_id uuid not null references integrations(id) on delete cascade,
    jti text not null,
    expires_at timestamptz not null,
    primary key (integration_id, jti)
  )`,
  `create index oauth_used_jtis_expires_idx on oauth_used_jtis (expires_at)`,
  `alter table audit_events drop constraint audit_events_actor_type_check`,
  `alter table audit_events add constraint audit_events_actor_type_check
    check (actor_type in ('staff', 'support', 'patient', 'system', 'cli', 'integration'))`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
