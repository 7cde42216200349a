import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';

export interface EndpointRow {
  id: string;
  integration_id: string;
  url: string;
  event_types: string[];
  created_at: Date;
  failing_since: Date | null;
  disabled_at: Date | null;
}

const endpointColumns = ['id', 'integration_id', 'url', 'event_types', 'created_at', 'failing_since', 'disabled_at'] as const;

export async function insertEndpoint(
  db: Kysely<DB>,
  values: { integrationId: string; url: string; eventTypes: string[]; secret: string; now: Date },
): Promise<string> {
  // Deliveries start after the feed's current end (events of transactions still open come later).
  const row = await sql<{ id: string }>`
    with last as (
      select xid, id from events where xid < pg_snapshot_xmin(pg_current_snapshot()) order by xid desc, id desc limit 1
    )
    insert into webhook_endpoints (integration_id, url, event_types, secret, created_at, cursor_xid, cursor_id)
    values (${values.integrationId}, ${values.url}, ${values.eventTypes}::text[], ${values.secret}, ${values.now},
      coalesce((select xid from last), '0'::xid8), coalesce((select id from last), 0))
    returning id`.execute(db);
  const id = row.rows[0]?.id;
  if (!id) throw new Error('insertEndpoint: no id returned');
  return id;
}

export async function listEndpoints(db: Database, integrationId: string): Promise<EndpointRow[]> {
  return db.selectFrom('webhook_endpoints').select(endpointColumns).where('integration_id', '=', integrationId).orderBy('created_at').execute();
}

export async function deleteEndpoint(db: Database, integrationId: string, endpointId: string): Promise<boolean> {
  const result = await db.deleteFrom('webhook_endpoints').where('id', '=', endpointId).where('integration_id', '=', integrationId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** An endpoint's delivery log, newest first; with `clinicId`, only that clinic's deliveries (what its admin may see). */
export async function listDeliveries(db: Database, integrationId: string, endpointId: string, limit: number, clinicId?: string) {
  let query = db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_endpoints as w', 'w.id', 'd.endpoint_id')
    .innerJoin('events as e', 'e.id', 'd.event_id')
    .select([
      'd.id',
      'd.status',
      'd.attempts',
      'd.last_error',
      'd.last_status_code',
      'd.delivered_at',
      'd.next_attempt_at',
      'd.created_at',
      'e.type',
      'd.clinic_id',
    ])
    .where('w.integration_id', '=', integrationId)
    .where('w.id', '=', endpointId)
    .orderBy('d.id', 'desc')
    .limit(limit);
  if (clinicId !== undefined) query = query.where('d.clinic_id', '=', clinicId);
  return query.execute();
}

/**
 * Turns new events of an endpoint's clinics into delivery rows, in feed order (so delivery ids
 * follow event order), and moves the endpoint's cursor, in one transaction. The endpoint row is
 * locked SKIP LOCKED, so two workers never fan out the same events.
 */
export async function fanOut(db: Database, now: Date, limit = 500): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const endpoints = await sql<{ id: string; integration_id: string; event_types: string[]; cursor_xid: string; cursor_id: number }>`
      select id, integration_id, event_types, cursor_xid::text as cursor_xid, cursor_id from webhook_endpoints
      where disabled_at is null
      for update skip locked`.execute(trx);
    let created = 0;
    for (const endpoint of endpoints.rows) {
      const events = await sql<{ id: number; xid: string; clinic_id: string; type: string }>`
        select e.id, e.xid::text as xid, e.clinic_id, e.type from events e
        where e.clinic_id in (select clinic_id from integration_clinics where integration_id = ${endpoint.integration_id})
          and e.xid < pg_snapshot_xmin(pg_current_snapshot())
          and (e.xid, e.id) > (${endpoint.cursor_xid}::xid8, ${endpoint.cursor_id}::bigint)
        order by e.xid, e.id
        limit ${limit}`.execute(trx);
      const last = events.rows.at(-1);
      if (!last) continue;
      const wanted = events.rows.filter((e) => endpoint.event_types.includes(e.type));
      if (wanted.length) {
        await trx
          .insertInto('webhook_deliveries')
          .values(wanted.map((e) => ({ endpoint_id: endpoint.id, event_id: e.id, clinic_id: e.clinic_id, next_attempt_at: now, created_at: now })))
          .onConflict((oc) => oc.columns(['endpoint_id', 'event_id']).doNothing())
          .execute();
        created += wanted.length;
      }
      await sql`update webhook_endpoints set cursor_xid = ${last.xid}::xid8, cursor_id = ${last.id} where id = ${endpoint.id}`.execute(trx);
    }
    return created;
  });
}

export interface ClaimedDelivery {
  id: number;
  endpoint_id: string;
  attempts: number;
  url: string;
  secret: string;
  event_id: number;
  event_xid: string;
  type: string;
  clinic_id: string;
  occurred_at: Date;
  data: Record<string, string>;
}

/**
 * Claims due deliveries, at most the oldest pending one per endpoint and clinic, so a clinic's
 * events arrive in order and a failing one holds back the later ones. Leased, not held in a
 * transaction, while the HTTP call runs.
 */
export async function claimDue(db: Database, now: Date, leaseMs: number, limit: number): Promise<ClaimedDelivery[]> {
  const until = new Date(now.getTime() + leaseMs);
  const result = await sql<ClaimedDelivery>`
    with due as (
      select d.id from webhook_deliveries d
      join webhook_endpoints w on w.id = d.endpoint_id and w.disabled_at is null
      where d.status = 'pending' and d.next_attempt_at <= ${now} and (d.locked_until is null or d.locked_until <= ${now})
        and not exists (
          select 1 from webhook_deliveries o
          where o.endpoint_id = d.endpoint_id and o.clinic_id = d.clinic_id and o.status = 'pending' and o.id < d.id)
      order by d.id
      limit ${limit}
      for update of d skip locked
    )
    update webhook_deliveries d set locked_until = ${until}, attempts = d.attempts + 1
    from due, webhook_endpoints w, events e
    where d.id = due.id and w.id = d.endpoint_id and e.id = d.event_id
    returning d.id, d.endpoint_id, d.attempts, w.url, w.secret, e.id as event_id, e.xid::text as event_xid, e.type, e.clinic_id, e.occurred_at, e.data`.execute(
    db,
  );
  return result.rows;
}

export async function markDelivered(db: Database, delivery: ClaimedDelivery, status: number, now: Date): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('webhook_deliveries')
      .set({ status: 'delivered', delivered_at: now, locked_until: null, last_status_code: status, last_error: null })
      .where('id', '=', delivery.id)
      .execute();
    await trx.updateTable('webhook_endpoints').set({ failing_since: null }).where('id', '=', delivery.endpoint_id).execute();
  });
}

/** Schedules a retry and returns the endpoint's failure streak start (to disable it after a day). */
export async function markFailed(
  trx: Kysely<DB>,
  delivery: ClaimedDelivery,
  failure: { error: string; status: number | null },
  retryAt: Date,
  now: Date,
): Promise<{ failingSince: Date }> {
  await trx
    .updateTable('webhook_deliveries')
    .set({ next_attempt_at: retryAt, locked_until: null, last_error: failure.error.slice(0, 500), last_status_code: failure.status })
    .where('id', '=', delivery.id)
    .execute();
  const endpoint = await trx
    .updateTable('webhook_endpoints')
    .set({ failing_since: sql<Date>`coalesce(failing_since, ${now})` })
    .where('id', '=', delivery.endpoint_id)
    .returning('failing_since')
    .executeTakeFirstOrThrow();
  return { failingSince: endpoint.failing_since ?? now };
}

/** Disables the endpoint; returns the addresses of the admins of its integration's clinics (once, when it was enabled). */
export async function disableEndpoint(trx: Kysely<DB>, endpointId: string, now: Date) {
  const disabled = await trx
    .updateTable('webhook_endpoints')
    .set({ disabled_at: now })
    .where('id', '=', endpointId)
    .where('disabled_at', 'is', null)
    .returning(['integration_id', 'url'])
    .executeTakeFirst();
  if (!disabled) return null;
  const admins = await trx
    .selectFrom('integration_clinics as g')
    .innerJoin('staff_memberships as m', 'm.clinic_id', 'g.clinic_id')
    .innerJoin('staff_users as u', 'u.id', 'm.user_id')
    .innerJoin('integrations as i', 'i.id', 'g.integration_id')
    .select(['u.email', 'g.clinic_id', 'i.name'])
    .where('g.integration_id', '=', disabled.integration_id)
    .where('m.role', '=', 'admin')
    .execute();
  return { url: disabled.url, admins };
}
