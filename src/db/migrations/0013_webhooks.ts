import { sql, type Kysely } from 'kysely';

// Webhook endpoints of integrations and one delivery row per (endpoint, event): the delivery log.
// Deliveries of one endpoint and clinic go out in event order; a failing one holds the later ones.
const statements = [
  `create table webhook_endpoints (
    id uuid primary key default gen_random_uuid(),
    integration_id uuid not null references integrations(id) on delete cascade,
    url text not null,
    event_types text[] not null,
    -- The Standard Webhooks signing secret (whsec_...); it signs, so it is kept, not hashed.
    secret text not null,
    created_at timestamptz not null,
    failing_since timestamptz,
    disabled_at timestamptz,
    -- The event position (xid, id) up to which events were turned into deliveries.
    cursor_xid xid8,
    cursor_id bigint not null default 0
  )`,
  `create index webhook_endpoints_integration_idx on webhook_endpoints (integration_id)`,
  `create table webhook_deliveries (
    id bigint generated always as identity primary key,
    endpoint_id uuid not null references webhook_endpoints(id) on delete cascade,
    event_id bigint not null references events(id),
    clinic_id uuid not null,
    status text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
    attempts integer not null default 0,
    next_attempt_at timestamptz not null,
    locked_until timestamptz,
    last_error text,
    last_status_code integer,
    delivered_at timestamptz,
    created_at timestamptz not null,
    unique (endpoint_id, event_id)
  )`,
  `create index webhook_deliveries_due_idx on webhook_deliveries (next_attempt_at) where status = 'pending'`,
  `create index webhook_deliveries_order_idx on webhook_deliveries (endpoint_id, clinic_id, id) where status = 'pending'`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
