import { sql, type Kysely } from 'kysely';

const statements = [
  // E-konsultation: threads between a clinic and one of its patients.
  `create table econsultation_threads (
    id uuid primary key default gen_random_uuid(),
    clinic_id uuid not null references clinics(id),
    patient_id uuid not null references patients(id),
    subject text not null,
    status text not null default 'open' check (status in ('open', 'closed')),
    created_at timestamptz not null,
    last_message_at timestamptz not null
  )`,
  `create index econsultation_threads_clinic_idx on econsultation_threads (clinic_id, last_message_at desc)`,
  `create index econsultation_threads_patient_idx on econsultation_threads (patient_id, last_message_at desc)`,
  `create table econsultation_messages (
    id uuid primary key default gen_random_uuid(),
    -- Messages written in the same millisecond still have one order.
    seq bigint generated always as identity,
    thread_id uuid not null references econsultation_threads(id),
    sender text not null check (sender in ('patient', 'clinic')),
    staff_user_id uuid references staff_users(id),
    body text not null,
    created_at timestamptz not null,
    -- When the other side first read it.
    read_at timestamptz
  )`,
  `create index econsultation_messages_thread_idx on econsultation_messages (thread_id, seq)`,
  `create table econsultation_attachments (
    id uuid primary key default gen_random_uuid(),
    message_id uuid not null references econsultation_messages(id),
    filename text not null,
    content_type text not null check (content_type in ('image/png', 'image/jpeg', 'application/pdf')),
    size integer not null,
    data bytea not null
  )`,
  `create index econsultation_attachments_message_idx on econsultation_attachments (message_id)`,
  // E-tidsbestilling.
  `alter table clinics add column booking_min_hours_ahead integer not null default 2 check (booking_min_hours_ahead between 0 and 720)`,
  `alter table clinics add column booking_max_days_ahead integer not null default 60 check (booking_max_days_ahead between 1 and 365)`,
  `create table booking_slots (
    id uuid primary key default gen_random_uuid(),
    clinic_id uuid not null references clinics(id),
    practitioner text not null,
    starts_at timestamptz not null,
    duration_minutes integer not null check (duration_minutes between 5 and 240),
    kind text not null,
    created_at timestamptz not null
  )`,
  `create index booking_slots_clinic_idx on booking_slots (clinic_id, starts_at)`,
  `create table appointments (
    id uuid primary key default gen_random_uuid(),
    slot_id uuid not null references booking_slots(id),
    clinic_id uuid not null references clinics(id),
    patient_id uuid not null references patients(id),
    booked_at timestamptz not null,
    cancelled_at timestamptz
  )`,
  // One live booking per slot: the database refuses a double booking, whatever the race.
  `create unique index appointments_slot_live_key on appointments (slot_id) where cancelled_at is null`,
  `create index appointments_patient_idx on appointments (patient_id)`,
  // E-receptfornyelse.
  `create table medications (
    id uuid primary key default gen_random_uuid(),
    clinic_id uuid not null references clinics(id),
    patient_id uuid not null references patients(id),
    name text not null,
    dosage text not null,
    habit_forming boolean not null default false,
    renewable_online boolean not null default false,
    created_at timestamptz not null,
    check (not (habit_forming and renewable_online))
  )`,
  `create index medications_patient_idx on medications (patient_id)`,
  `create table renewal_requests (
    id uuid primary key default gen_random_uuid(),
    medication_id uuid not null references medications(id),
    clinic_id uuid not null references clinics(id),
    patient_id uuid not null references patients(id),
    status text not null default 'requested' check (status in ('requested', 'approved', 'rejected')),
    note text,
    requested_at timestamptz not null,
    handled_at timestamptz,
    handled_by uuid references staff_users(id)
  )`,
  `create unique index renewal_requests_pending_key on renewal_requests (medication_id) where status = 'requested'`,
  `create index renewal_requests_clinic_idx on renewal_requests (clinic_id, requested_at)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
