import { sql } from 'kysely';
import type { InferResult } from 'kysely';
import { prepared, type Database } from '../../db/database.ts';
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

/**
 * Open requests of the given clinics, oldest first, one keyset page (an index range scan on
 * login_requests_queue_idx); openRequestsPageQuery wraps it with the per-row facts.
 */
export function openRequestsQuery(db: Database, clinicIds: string[], cursor: string | undefined, limit = PAGE_SIZE) {
  let q = db
    .selectFrom('login_requests as r')
    .select([
      'r.id',
      'r.clinic_id',
      'r.created_at',
      'r.name',
      'r.cpr',
      'r.email',
      'r.phone',
      'r.identity_verified',
      'r.reason',
      'r.registry_answer',
      'r.requested_by_name',
    ])
    .where('r.clinic_id', 'in', clinicIds)
    .where('r.status', '=', 'open')
    .orderBy('r.created_at')
    .orderBy('r.id')
    .limit(limit + 1);
  if (cursor) {
    const { at, id } = decodeCursor(cursor);
    q = q.where((eb) => eb(eb.refTuple('r.created_at', 'r.id'), '>', eb.tuple(at, id)));
  }
  return q;
}

/** How an earlier access ended: the clinic deleted it, or the patient deleted their login. */
export interface EndedAccess {
  by: 'clinic' | 'patient';
  at: Date;
}

function previousAccessOf(endedAt: Date | null, endReason: string | null, loginDeletedAt: Date | null): EndedAccess | null {
  if (endedAt) return { by: endReason === 'login_deleted' ? 'patient' : 'clinic', at: endedAt };
  return loginDeletedAt ? { by: 'patient', at: loginDeletedAt } : null;
}

/**
 * Open requests of the given clinics, oldest first, one keyset page, with the facts each row needs,
 * in one statement (one round trip). The inner select is the keyset page itself (an index range
 * scan on login_requests_queue_idx), and each fact is a lateral lookup by a unique index, so the
 * work is a fixed number of index probes per row of the page, whatever the size of the tables:
 * - the clinic's name and offered rights;
 * - the clinic's known patient record (the match Opret would link), by the unique (clinic_id, cpr);
 * - the person's login by CPR (unique), and whether it was deleted;
 * - their latest ended membership at that clinic (its rights are the preset for a returning patient).
 * The lookups are unique; their LIMIT 1 keeps PostgreSQL from flattening them into hash joins,
 * which on small tables plan as sequential scans of patients, logins and clinics per page.
 */
export function openRequestsPageQuery(db: Database, clinicIds: string[], cursor: string | undefined, limit = PAGE_SIZE) {
  return (
    db
      .selectFrom(openRequestsQuery(db, clinicIds, cursor, limit).as('r'))
      .innerJoinLateral(
        (eb) => eb.selectFrom('clinics').select(['name', 'offered_functions']).whereRef('clinics.id', '=', 'r.clinic_id').limit(1).as('c'),
        (join) => join.onTrue(),
      )
      .leftJoinLateral(
        (eb) =>
          eb
            .selectFrom('patients')
            .select(['id', sql<string>`given_name || ' ' || family_name`.as('name')])
            .whereRef('patients.clinic_id', '=', 'r.clinic_id')
            .whereRef('patients.cpr', '=', 'r.cpr')
            .limit(1)
            .as('p'),
        (join) => join.onTrue(),
      )
      .leftJoinLateral(
        (eb) => eb.selectFrom('patient_accounts').select(['id', 'deleted_at']).whereRef('patient_accounts.cpr', '=', 'r.cpr').limit(1).as('a'),
        (join) => join.onTrue(),
      )
      .leftJoinLateral(
        (eb) =>
          eb
            .selectFrom('portal_memberships as m')
            .select(['m.rights', 'm.ended_at', 'm.end_reason'])
            .whereRef('m.account_id', '=', 'a.id')
            .whereRef('m.clinic_id', '=', 'r.clinic_id')
            .where('m.ended_at', 'is not', null)
            .orderBy('m.ended_at', 'desc')
            .limit(1)
            .as('prev'),
        (join) => join.onTrue(),
      )
      // The page's own columns as the keyset query selects them, then each row's facts.
      .selectAll('r')
      .select([
        'c.name as clinic_name',
        'c.offered_functions',
        'p.id as known_patient_id',
        'p.name as known_patient_name',
        'a.deleted_at as login_deleted_at',
        'prev.rights as previous_rights',
        'prev.ended_at as previous_ended_at',
        'prev.end_reason as previous_end_reason',
      ])
      .orderBy('r.created_at')
      .orderBy('r.id')
  );
}

export async function listOpenRequests(db: Database, clinicIds: string[], cursor: string | undefined, limit = PAGE_SIZE) {
  const query = openRequestsPageQuery(db, clinicIds, cursor, limit);
  // The page secretaries reload all day: prepared once per connection (see prepared()).
  const { rows } = await prepared(sql<InferResult<typeof query>[number]>`${query}`).execute(db);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    rows: page.map(({ known_patient_id, known_patient_name, login_deleted_at, previous_rights, previous_ended_at, previous_end_reason, ...r }) => ({
      ...r,
      knownPatient: known_patient_id && known_patient_name ? { id: known_patient_id, name: known_patient_name } : null,
      previousRights: previous_rights,
      loginDeleted: login_deleted_at !== null,
      // Who ended the earlier access: the latest ended membership at this clinic, else a deleted login.
      previousAccess: previousAccessOf(previous_ended_at, previous_end_reason, login_deleted_at),
    })),
    nextCursor: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null,
  };
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
