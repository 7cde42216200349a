import { sql } from 'kysely';
import type { Database } from '../../db/database.ts';

export interface FeedEvent {
  id: number;
  xid: string;
  clinic_id: string;
  type: string;
  occurred_at: Date;
  data: Record<string, string>;
}

export interface FeedPosition {
  xid: string;
  id: number;
}

/**
 * Events after `after`, in (xid, id) order, of transactions older than every transaction still
 * running. An event id is taken when the row is inserted but becomes visible when its
 * transaction commits, so a plain id cursor could pass a smaller id that commits later and skip
 * it for good. Transactions older than the snapshot's xmin have all ended, and any transaction
 * that writes later gets a newer xid, so nothing can appear behind a position handed out here.
 */
export async function eventsAfter(db: Database, clinicIds: string[], after: FeedPosition | null, limit: number): Promise<FeedEvent[]> {
  const from = after ?? { xid: '0', id: 0 };
  const result = await sql<FeedEvent>`
    select id, xid::text as xid, clinic_id, type, occurred_at, data
    from events
    where clinic_id = any(${clinicIds}::uuid[])
      and xid < pg_snapshot_xmin(pg_current_snapshot())
      and (xid, id) > (${from.xid}::xid8, ${from.id}::bigint)
    order by xid, id
    limit ${limit}`.execute(db);
  return result.rows;
}
