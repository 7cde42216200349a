import { sql, type Kysely } from 'kysely';

const statements = [
  // One login per person (CPR), shared by every clinic that grants access.
  `create table patient_accounts (
    id uuid primary key default gen_random_uuid(),
    cpr text not null unique check (cpr ~ '^[0-9]{10}$'),
    email text,
    phone text,
    password_hash text,
    activated_at timestamptz,
    failed_logins integer not null default 0,
    -- Set after 100 consecutive failed logins; lifted by the patient's own reset or the clinic's "Ny kode".
    stopped_at timestamptz,
    deleted_at timestamptz,
    created_at timestamptz not null
  )`,
  `create unique index patient_accounts_email_key on patient_accounts (lower(email)) where email is not null`,
  // A clinic's grant of portal access to one of its patients. Ended rows are kept: they remember
  // the rights for a later request, and who had access when.
  `create table portal_memberships (
    id uuid primary key default gen_random_uuid(),
    account_id uuid not null references patient_accounts(id),
    clinic_id uuid not null references clinics(id),
    patient_id uuid not null references patients(id),
    rights text[] not null default '{}',
    wants_electronic_reply boolean not null default false,
    created_at timestamptz not null,
    ended_at timestamptz,
    end_reason text check (end_reason in ('clinic_deleted', 'login_deleted'))
  )`,
  `create unique index portal_memberships_active_key on portal_memberships (account_id, clinic_id) where ended_at is null`,
  `create unique index portal_memberships_patient_active_key on portal_memberships (patient_id) where ended_at is null`,
  `create index portal_memberships_patient_idx on portal_memberships (patient_id, created_at)`,
  `create table patient_tokens (
    token_hash text primary key,
    account_id uuid not null references patient_accounts(id),
    purpose text not null check (purpose in ('activation', 'password_reset', 'email_change')),
    clinic_id uuid references clinics(id),
    new_email text,
    created_at timestamptz not null,
    expires_at timestamptz not null,
    used_at timestamptz
  )`,
  `create index patient_tokens_account_idx on patient_tokens (account_id, purpose)`,
  `create table patient_login_challenges (
    id uuid primary key default gen_random_uuid(),
    account_id uuid not null references patient_accounts(id),
    code_hash text not null,
    created_at timestamptz not null,
    expires_at timestamptz not null,
    attempts integer not null default 0,
    used_at timestamptz
  )`,
  `create index patient_login_challenges_account_idx on patient_login_challenges (account_id)`,
  `create table patient_sessions (
    id uuid primary key default gen_random_uuid(),
    token_hash text not null unique,
    account_id uuid not null references patient_accounts(id),
    created_at timestamptz not null,
    last_seen_at timestamptz not null,
    expires_at timestamptz not null
  )`,
  `create index patient_sessions_account_idx on patient_sessions (account_id)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
