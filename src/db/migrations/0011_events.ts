import { sql, type Kysely } from 'kysely';

// Thin events (type, time, clinic, ids) written in the transaction of the change: the outbox
// clinic systems read by webhook or pull feed. `xid` is the writing transaction's id: the feed
// hands out only events of transactions older than every transaction still running
// (pg_snapshot_xmin), ordered by (xid, id), so an event can never commit behind a cursor.
const statements = [
  `create table events (
    id bigint generated always as identity primary key,
    xid xid8 not null default pg_current_xact_id(),
    clinic_id uuid not null,
    type text not null,
    occurred_at timestamptz not null,
    data jsonb not null
  )`,
  `create index events_feed_idx on events (xid, id)`,
  `create index events_clinic_feed_idx on events (clinic_id, xid, id)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
