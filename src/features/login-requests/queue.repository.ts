import { sql } from 'kysely';
import type { Database } from '../../db/database.ts';
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

/**
 * Open requests of the given clinics, oldest first, one keyset page (an index range scan on
 * login_requests_queue_idx). Kept to one simple query so it plans in microseconds; the per-row
 * facts are read for the whole page at once by openRequestFacts.
 */
export function openRequestsQuery(db: Database, clinicIds: string[], cursor: string | undefined, limit = PAGE_SIZE) {
  let q = db
    .selectFrom('login_requests as r')
    .select(['r.id', 'r.clinic_id', 'r.created_at', 'r.name', 'r.cpr', 'r.email', 'r.phone', 'r.identity_verified', 'r.reason', 'r.registry_answer'])
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

export function openRequestFactsQueries(db: Database, clinicIds: string[], cprs: string[]) {
  return {
    clinics: db.selectFrom('clinics').select(['id', 'name', 'offered_functions']).where('id', 'in', clinicIds),
    knownPatients: db
      .selectFrom('patients')
      .select(['id', 'clinic_id', 'cpr', 'given_name', 'family_name'])
      .where('clinic_id', 'in', clinicIds)
      .where('cpr', 'in', cprs),
    history: db
      .selectFrom('patient_accounts as a')
      .leftJoin('portal_memberships as m', (join) => join.onRef('m.account_id', '=', 'a.id').on('m.ended_at', 'is not', null))
      .select(['a.cpr', 'a.deleted_at', 'm.clinic_id', 'm.rights', 'm.ended_at', 'm.end_reason'])
      .where('a.cpr', 'in', cprs)
      .orderBy('m.ended_at', 'asc'),
  };
}

/** How an earlier access ended: the clinic deleted it, or the patient deleted their login. */
export interface EndedAccess {
  by: 'clinic' | 'patient';
  at: Date;
}

/**
 * For a page of requests: the clinic's known patient record per request (the match Opret would
 * link), and whether the person had access before (an ended membership at that clinic, or a
 * deleted login) with the rights of their latest membership there.
 */
async function openRequestFacts(db: Database, rows: { clinic_id: string; cpr: string }[]) {
  const cprs = [...new Set(rows.map((r) => r.cpr))];
  const clinicIds = [...new Set(rows.map((r) => r.clinic_id))];
  const queries = openRequestFactsQueries(db, clinicIds, cprs);
  if (cprs.length === 0)
    return {
      clinics: new Map<string, { id: string; name: string; offered_functions: PortalFunction[] }>(),
      known: new Map<string, { id: string; name: string }>(),
      previous: new Map<string, PortalFunction[]>(),
      ended: new Map<string, EndedAccess>(),
      deleted: new Map<string, EndedAccess>(),
    };
  const [clinics, patients, history] = await Promise.all([queries.clinics.execute(), queries.knownPatients.execute(), queries.history.execute()]);
  const key = (clinicId: string, cpr: string) => `${clinicId}:${cpr}`;
  const known = new Map(patients.map((p) => [key(p.clinic_id, p.cpr), { id: p.id, name: `${p.given_name} ${p.family_name}` }]));
  const previous = new Map<string, PortalFunction[]>();
  const ended = new Map<string, EndedAccess>();
  const deleted = new Map<string, EndedAccess>();
  for (const h of history) {
    if (h.deleted_at) {
      const latest = deleted.get(h.cpr);
      if (!latest || latest.at < h.deleted_at) deleted.set(h.cpr, { by: 'patient', at: h.deleted_at });
    }
    // Ordered oldest first, so the latest ended membership wins.
    if (h.clinic_id && h.rights) previous.set(key(h.clinic_id, h.cpr), h.rights);
    if (h.clinic_id && h.ended_at) ended.set(key(h.clinic_id, h.cpr), { by: h.end_reason === 'login_deleted' ? 'patient' : 'clinic', at: h.ended_at });
  }
  return { clinics: new Map(clinics.map((c) => [c.id, c])), known, previous, ended, deleted };
}

export async function listOpenRequests(db: Database, clinicIds: string[], cursor: string | undefined, limit = PAGE_SIZE) {
  const rows = await openRequestsQuery(db, clinicIds, cursor, limit).execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const facts = await openRequestFacts(db, page);
  return {
    rows: page.map((r) => {
      const at = `${r.clinic_id}:${r.cpr}`;
      const clinic = facts.clinics.get(r.clinic_id);
      if (!clinic) throw new Error(`login request ${r.id}: clinic ${r.clinic_id} not found`);
      return {
        ...r,
        clinic_name: clinic.name,
        offered_functions: clinic.offered_functions,
        knownPatient: facts.known.get(at) ?? null,
        previousRights: facts.previous.get(at) ?? null,
        loginDeleted: facts.deleted.has(r.cpr),
        // Who ended the earlier access: the latest ended membership at this clinic, else a deleted login.
        previousAccess: facts.ended.get(at) ?? facts.deleted.get(r.cpr) ?? null,
      };
    }),
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
