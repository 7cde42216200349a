import { sql, type Kysely } from 'kysely';

const statements = [
  `create table clinics (
    id uuid primary key default gen_random_uuid(),
    name text not null,
    slug text not null unique,
    specialty text not null check (specialty in ('almen_praksis', 'speciallaege')),
    ydernummer text check (ydernummer ~ '^[0-9]{6}$'),
    uses_mitid boolean not null default false,
    self_registration text not null default 'none' check (self_registration in ('none', 'manual', 'automatic')),
    auto_approval_allowed boolean not null default false,
    offered_functions text[] not null default '{econsultation,booking,renewal}',
    econsultation_max_length integer not null default 400 check (econsultation_max_length between 50 and 10000),
    created_at timestamptz not null default now(),
    check (specialty <> 'almen_praksis' or ydernummer is not null)
  )`,
  `create table staff_users (
    id uuid primary key default gen_random_uuid(),
    email text not null,
    name text not null,
    password_hash text,
    is_support boolean not null default false,
    created_at timestamptz not null default now()
  )`,
  `create unique index staff_users_email_key on staff_users (lower(email))`,
  `create table staff_memberships (
    user_id uuid not null references staff_users(id) on delete cascade,
    clinic_id uuid not null references clinics(id) on delete cascade,
    role text not null check (role in ('staff', 'admin')),
    primary key (user_id, clinic_id)
  )`,
  `create index staff_memberships_clinic_idx on staff_memberships (clinic_id)`,
  `create table staff_sessions (
    id uuid primary key default gen_random_uuid(),
    token_hash text not null unique,
    user_id uuid not null references staff_users(id) on delete cascade,
    clinic_id uuid references clinics(id) on delete set null,
    created_at timestamptz not null,
    last_seen_at timestamptz not null,
    expires_at timestamptz not null
  )`,
  `create index staff_sessions_user_idx on staff_sessions (user_id)`,
  `create table staff_password_tokens (
    token_hash text primary key,
    user_id uuid not null references staff_users(id) on delete cascade,
    created_at timestamptz not null,
    expires_at timestamptz not null,
    used_at timestamptz
  )`,
  `create index staff_password_tokens_user_idx on staff_password_tokens (user_id)`,
  `create table patients (
    id uuid primary key default gen_random_uuid(),
    clinic_id uuid not null references clinics(id),
    cpr text not null check (cpr ~ '^[0-9]{10}$'),
    given_name text not null,
    family_name text not null,
    address text,
    postal_code text,
    city text,
    phone text,
    email text,
    created_at timestamptz not null default now(),
    unique (clinic_id, cpr)
  )`,
  `create index patients_clinic_name_idx on patients (clinic_id, family_name, given_name)`,
  `create table audit_events (
    id bigint generated always as identity primary key,
    occurred_at timestamptz not null,
    actor_type text not null check (actor_type in ('staff', 'support', 'patient', 'system', 'cli')),
    actor_id uuid,
    clinic_id uuid,
    patient_id uuid,
    action text not null,
    ip text,
    details jsonb not null default '{}'
  )`,
  `create index audit_events_patient_idx on audit_events (patient_id, occurred_at)`,
  `create index audit_events_clinic_idx on audit_events (clinic_id, occurred_at)`,
  // The audit trail is append-only for everyone, the app included.
  `create function audit_events_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_events is append-only';
    end
  $$`,
  `create trigger audit_events_no_update before update or delete on audit_events
    for each row execute function audit_events_append_only()`,
  `create trigger audit_events_no_truncate before truncate on audit_events
    for each statement execute function audit_events_append_only()`,
  `create table outbox_mails (
    id bigint generated always as identity primary key,
    created_at timestamptz not null,
    clinic_id uuid references clinics(id) on delete set null,
    template text not null,
    to_address text not null,
    subject text not null,
    -- The body may hold a one-time link; it is erased once the mail is sent.
    text_body text,
    status text not null default 'pending' check (status in ('pending', 'sent', 'failed')),
    attempts integer not null default 0,
    next_attempt_at timestamptz not null,
    locked_until timestamptz,
    last_error text,
    sent_at timestamptz,
    failed_at timestamptz
  )`,
  `create index outbox_mails_due_idx on outbox_mails (next_attempt_at) where status = 'pending'`,
  `create index outbox_mails_failed_idx on outbox_mails (clinic_id, failed_at) where status = 'failed'`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
