import { sql, type Kysely } from 'kysely';

const statements = [
  `alter table patient_accounts add column mitid_uuid text`,
  `create unique index patient_accounts_mitid_key on patient_accounts (mitid_uuid) where mitid_uuid is not null`,
  // The GP registry, as imported by the CLI: a CPR number's own doctor (null: none chosen).
  `create table gp_assignments (
    cpr text primary key check (cpr ~ '^[0-9]{10}$'),
    ydernummer text check (ydernummer ~ '^[0-9]{6}$')
  )`,
  // One OpenID Connect authorization in flight: state, nonce and PKCE verifier, used once.
  `create table mitid_flows (
    id uuid primary key default gen_random_uuid(),
    browser_hash text not null,
    state text not null unique,
    nonce text not null,
    code_verifier text not null,
    purpose text not null check (purpose in ('login', 'register')),
    clinic_id uuid references clinics(id),
    created_at timestamptz not null,
    expires_at timestamptz not null,
    used_at timestamptz
  )`,
  // A person MitID has identified, for the registration steps that follow (30 minutes).
  `create table mitid_identities (
    id uuid primary key default gen_random_uuid(),
    token_hash text not null unique,
    clinic_id uuid not null references clinics(id),
    cpr text not null,
    mitid_uuid text not null,
    name text not null,
    birth_date date not null,
    loa text not null,
    email text,
    phone text,
    email_code_hash text,
    email_code_attempts integer not null default 0,
    email_verified_at timestamptz,
    created_at timestamptz not null,
    expires_at timestamptz not null,
    used_at timestamptz
  )`,
  // Every registration and its decision. Open ones form the clinic's queue (Loginbestillinger).
  `create table login_requests (
    id uuid primary key default gen_random_uuid(),
    clinic_id uuid not null references clinics(id),
    cpr text not null check (cpr ~ '^[0-9]{10}$'),
    name text not null,
    birth_date date,
    email text not null,
    phone text,
    identity_verified text not null check (identity_verified in ('mitid', 'none')),
    mitid_uuid text,
    status text not null check (status in ('open', 'approved', 'rejected')),
    reason text not null check (reason in ('auto_approved', 'manual_clinic', 'not_own_doctor', 'registry_unavailable', 'no_mitid_clinic')),
    registry_answer text check (registry_answer in ('other_doctor', 'no_doctor', 'unknown_cpr')),
    created_at timestamptz not null,
    handled_at timestamptz,
    handled_by uuid references staff_users(id),
    rejection_reason text,
    granted_rights text[],
    patient_id uuid references patients(id)
  )`,
  `create unique index login_requests_open_key on login_requests (clinic_id, cpr) where status = 'open'`,
  `create index login_requests_queue_idx on login_requests (clinic_id, created_at, id) where status = 'open'`,
  `create index login_requests_handled_idx on login_requests (clinic_id, handled_at) where status <> 'open'`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
