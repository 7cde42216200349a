import { sql } from 'kysely';
import { prepared, type Database } from '../../db/database.ts';
import type { PortalFunction } from '../../db/schema.ts';
import { errors } from '../../errors.ts';

export const PAGE_SIZE = 50;

/** Keyset cursor: the (created_at, id) or (handled_at, id) of the last row of a page. */
export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { at: Date; id: string } {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const at = new Date(iso ?? '');
  if (!id || Number.isNaN(at.getTime()) || !/^[0-9a-f-]{36}$/.test(id)) {
    throw errors.validation('cursor', { da: 'Ugyldig side.', en: 'Invalid page cursor.' });
  }
  return { at, id };
}

/** One row of the open queue's page, as openRequestsPage's statement gives it. */
export interface OpenRequestRow {
  id: string;
  clinic_id: string;
  clinic_name: string;
  created_at: Date;
  name: string;
  cpr: string;
  email: string;
  phone: string | null;
  identity_verified: 'mitid' | 'none';
  reason: string;
  registry_answer: string | null;
  requested_by_name: string | null;
  known_patient_id: string | null;
  known_patient_name: string | null;
  /** An ended membership at this clinic, or a deleted login: the red "!". */
  previously_had_access: boolean;
  /** The rights the patient had here before, where still offered; otherwise all the clinic offers. */
  preset_rights: PortalFunction[];
  /** Who ended the earlier access: the latest ended membership here (the clinic, or the patient deleting their login), else a deleted login. */
  previous_ended_by: 'clinic' | 'patient' | null;
  previous_ended_at: Date | null;
}

/**
 * Open requests of the given clinics, oldest first, one keyset page, with the facts each row needs,
 * in one statement (one round trip). The inner select is the keyset page itself (an index range
 * scan on login_requests_queue_idx), and each fact is a lateral lookup by a unique index, so the
 * work is a fixed number of index probes per row of the page, whatever the size of the tables:
 * - the clinic's name and offered rights, looked up once per page for the page's clinics (the
 *   materialized page_clinics), where a lookup per row repeated the same clinic 51 times;
 * - the clinic's known patient record (the match Opret would link), by the unique (clinic_id, cpr);
 * - the person's login by CPR (unique), and whether it was deleted;
 * - their latest ended membership at that clinic (its rights are the preset for a returning patient).
 * The lookups are unique; their LIMIT 1 keeps PostgreSQL from flattening them into hash joins,
 * which on small tables plan as sequential scans of patients and logins per page.
 *
 * SQL rather than the query builder, with each row's answers (the preset, the red "!", who ended
 * the earlier access) worked out in the statement: secretaries reload this page all day, and
 * building the statement and mapping its rows twice were a large part of what a page cost the
 * server beyond a no-op request, in a profile under bench:queue's pages (docs/ARCHITECTURE.md,
 * "Hot statements"). listOpenRequests runs it prepared: its text is one of a few (by the number of
 * clinics, with or without a cursor), and parsing it cost more than running it. `status = 'open'`
 * is written out, not a parameter: only then can the partial index login_requests_queue_idx serve
 * a generic plan, which PostgreSQL then keeps after five runs, so the page is not planned anew
 * each time either. (The query builder made the status a parameter, whose generic plan scanned the
 * whole table, so PostgreSQL planned every page.)
 */
export function openRequestsPage(clinicIds: string[], cursor: string | undefined, limit = PAGE_SIZE) {
  const after = cursor ? decodeCursor(cursor) : undefined;
  return sql<OpenRequestRow>`
    with page_clinics as materialized (select id, name, offered_functions from clinics where id in (${sql.join(clinicIds)}))
    select r.id, r.clinic_id, c.name as clinic_name, r.created_at, r.name, r.cpr, r.email, r.phone, r.identity_verified, r.reason,
      r.registry_answer, r.requested_by_name, p.id as known_patient_id, p.name as known_patient_name,
      (prev.ended_at is not null or a.deleted_at is not null) as previously_had_access,
      -- A newcomer's preset is all the clinic offers, without a subquery per row.
      case when prev.rights is null then c.offered_functions
        else array(select f from unnest(prev.rights) with ordinality as preset (f, n) where f = any(c.offered_functions) order by n) end as preset_rights,
      case when prev.ended_at is not null then case when prev.end_reason = 'login_deleted' then 'patient' else 'clinic' end
        when a.deleted_at is not null then 'patient' end as previous_ended_by,
      coalesce(prev.ended_at, a.deleted_at) as previous_ended_at
    from (
      select id, clinic_id, created_at, name, cpr, email, phone, identity_verified, reason, registry_answer, requested_by_name
      from login_requests
      where clinic_id in (${sql.join(clinicIds)}) and status = 'open'${after ? sql` and (created_at, id) > (${after.at}, ${after.id})` : sql``}
      order by created_at, id
      limit ${limit + 1}
    ) r
    join page_clinics c on c.id = r.clinic_id
    left join lateral (
      select id, given_name || ' ' || family_name as name from patients where patients.clinic_id = r.clinic_id and patients.cpr = r.cpr limit 1
    ) p on true
    left join lateral (select id, deleted_at from patient_accounts where patient_accounts.cpr = r.cpr limit 1) a on true
    left join lateral (
      select m.rights, m.ended_at, m.end_reason from portal_memberships m
      where m.account_id = a.id and m.clinic_id = r.clinic_id and m.ended_at is not null
      order by m.ended_at desc limit 1
    ) prev on true
    order by r.created_at, r.id`;
}

export async function listOpenRequests(db: Database, clinicIds: string[], cursor: string | undefined, limit = PAGE_SIZE) {
  const { rows } = await prepared(openRequestsPage(clinicIds, cursor, limit)).execute(db);
  const more = rows.length > limit;
  if (more) rows.length = limit;
  const last = rows.at(-1);
  return { rows, nextCursor: more && last ? encodeCursor(last.created_at, last.id) : null };
}

/** Handled requests, newest first, one keyset page, with who handled them. */
export async function listHandledRequests(db: Database, clinicIds: string[], cursor: string | undefined, limit = PAGE_SIZE) {
  let q = db
    .selectFrom('login_requests as r')
    .innerJoin('clinics as c', 'c.id', 'r.clinic_id')
    .leftJoin('staff_users as s', 's.id', 'r.handled_by')
    .select([
      'r.id',
      'r.clinic_id',
      'c.name as clinic_name',
      'r.created_at',
      'r.handled_at',
      'r.name',
      'r.cpr',
      'r.email',
      'r.status',
      'r.reason',
      'r.rejection_reason',
      'r.granted_rights',
      'r.patient_id',
      'r.identity_verified',
      'r.requested_by_name',
      's.name as handled_by_name',
    ])
    .where('r.clinic_id', 'in', clinicIds)
    .where('r.status', '<>', 'open')
    .orderBy('r.handled_at', 'desc')
    .orderBy('r.id', 'desc')
    .limit(limit + 1);
  if (cursor) {
    const { at, id } = decodeCursor(cursor);
    q = q.where((eb) => eb(eb.refTuple('r.handled_at', 'r.id'), '<', eb.tuple(at, id)));
  }
  const rows = await q.execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { rows: page, nextCursor: rows.length > limit && last?.handled_at ? encodeCursor(last.handled_at, last.id) : null };
}

export async function countOpenRequests(db: Database, clinicIds: string[]) {
  const rows = await db
    .selectFrom('login_requests')
    .select(['clinic_id', sql<number>`count(*)::int`.as('open')])
    .where('clinic_id', 'in', clinicIds)
    .where('status', '=', 'open')
    .groupBy('clinic_id')
    .execute();
  return clinicIds.map((id) => ({ clinicId: id, open: rows.find((r) => r.clinic_id === id)?.open ?? 0 }));
}
