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
 * Open requests of the given clinics, oldest first, one keyset page. Per row: whether the clinic
 * knows the patient (the record a match would link), and whether the person had access before
 * (deleted membership or deleted login) with the rights they had then.
 */
export async function listOpenRequests(db: Database, clinicIds: string[], cursor: string | undefined, limit = PAGE_SIZE) {
  let q = db
    .selectFrom('login_requests as r')
    .innerJoin('clinics as c', 'c.id', 'r.clinic_id')
    .select([
      'r.id',
      'r.clinic_id',
      'c.name as clinic_name',
      'c.offered_functions',
      'r.created_at',
      'r.name',
      'r.cpr',
      'r.email',
      'r.phone',
      'r.identity_verified',
      'r.reason',
      'r.registry_answer',
    ])
    .select((eb) => [
      eb
        .selectFrom('patients as p')
        .select(sql<string>`p.given_name || ' ' || p.family_name`.as('n'))
        .whereRef('p.clinic_id', '=', 'r.clinic_id')
        .whereRef('p.cpr', '=', 'r.cpr')
        .as('known_patient_name'),
      eb
        .selectFrom('patients as p')
        .select('p.id')
        .whereRef('p.clinic_id', '=', 'r.clinic_id')
        .whereRef('p.cpr', '=', 'r.cpr')
        .as('known_patient_id'),
      eb
        .selectFrom('portal_memberships as m')
        .innerJoin('patient_accounts as a', 'a.id', 'm.account_id')
        .select('m.rights')
        .whereRef('m.clinic_id', '=', 'r.clinic_id')
        .whereRef('a.cpr', '=', 'r.cpr')
        .where('m.ended_at', 'is not', null)
        .orderBy('m.ended_at', 'desc')
        .limit(1)
        .as('previous_rights'),
      eb
        .selectFrom('patient_accounts as a')
        .select('a.deleted_at')
        .whereRef('a.cpr', '=', 'r.cpr')
        .as('login_deleted_at'),
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
  const rows = await q.execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { rows: page, nextCursor: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null };
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

export type PresetRights = PortalFunction[];
