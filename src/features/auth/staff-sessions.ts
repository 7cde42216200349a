import { sql, type Selectable } from 'kysely';
import { prepared, type Database } from '../../db/database.ts';
import type { StaffRole, StaffSessionsTable, StaffUsersTable } from '../../db/schema.ts';
import { hashToken, newToken } from './tokens.ts';

export interface SessionPolicy {
  idleMs: number;
  absoluteMs: number;
}

export interface StaffSession {
  id: string;
  userId: string;
  name: string;
  email: string;
  isSupport: boolean;
  activeClinicId: string | null;
  clinics: { id: string; name: string; role: StaffRole }[];
}

export async function createStaffSession(db: Database, userId: string, clinicId: string | null, now: Date, policy: SessionPolicy): Promise<string> {
  const token = newToken();
  await db
    .insertInto('staff_sessions')
    .values({
      token_hash: hashToken(token),
      user_id: userId,
      clinic_id: clinicId,
      created_at: now,
      last_seen_at: now,
      expires_at: new Date(now.getTime() + policy.absoluteMs),
    })
    .execute();
  return token;
}

type StaffSessionRow = Pick<Selectable<StaffSessionsTable>, 'id' | 'user_id' | 'clinic_id' | 'last_seen_at' | 'expires_at'> &
  Pick<Selectable<StaffUsersTable>, 'name' | 'email' | 'is_support'> & { clinics: StaffSession['clinics'] };

export type SessionLookup = { status: 'valid'; session: StaffSession } | { status: 'expired' } | { status: 'none' };

/**
 * Looks a session up by its cookie token and slides its idle window. An expired session is
 * deleted on the spot, so an old cookie can never come back to life.
 */
export async function findStaffSession(db: Database, token: string, now: Date, policy: SessionPolicy): Promise<SessionLookup> {
  // The session, its user and the user's clinics in one round trip: every staff request starts here,
  // so it is SQL rather than the query builder, and prepared (docs/ARCHITECTURE.md, "Hot statements").
  const { rows } = await prepared(sql<StaffSessionRow>`
    select s.id, s.user_id, s.clinic_id, s.last_seen_at, s.expires_at, u.name, u.email, u.is_support,
      (select coalesce(json_agg(agg), '[]') from (
        select c.id, c.name, m.role from staff_memberships m join clinics c on c.id = m.clinic_id
        where m.user_id = s.user_id order by c.name) agg) as clinics
    from staff_sessions s join staff_users u on u.id = s.user_id
    where s.token_hash = ${hashToken(token)}`).execute(db);
  const [row] = rows;
  if (!row) return { status: 'none' };
  const idleFor = now.getTime() - row.last_seen_at.getTime();
  if (now >= row.expires_at || idleFor >= policy.idleMs) {
    await db.deleteFrom('staff_sessions').where('id', '=', row.id).execute();
    return { status: 'expired' };
  }
  // Writing on every request would serialise all of a user's requests on one row; a minute is fine-grained enough.
  if (idleFor > 60_000) {
    await db.updateTable('staff_sessions').set({ last_seen_at: now }).where('id', '=', row.id).execute();
  }
  const { clinics } = row;
  const active = clinics.some((c) => c.id === row.clinic_id) ? row.clinic_id : (clinics[0]?.id ?? null);
  return {
    status: 'valid',
    session: {
      id: row.id,
      userId: row.user_id,
      name: row.name,
      email: row.email,
      isSupport: row.is_support,
      activeClinicId: active,
      clinics,
    },
  };
}

export async function deleteStaffSession(db: Database, sessionId: string): Promise<void> {
  await db.deleteFrom('staff_sessions').where('id', '=', sessionId).execute();
}

/** The clinic a new session starts in: the user's first clinic by name (none for support). */
export function firstClinicOf(db: Database, userId: string) {
  return db
    .selectFrom('staff_memberships as m')
    .innerJoin('clinics as c', 'c.id', 'm.clinic_id')
    .select('c.id')
    .where('m.user_id', '=', userId)
    .orderBy('c.name')
    .executeTakeFirst();
}

/** The session's active clinic; the caller has checked that the user belongs to it. */
export async function switchSessionClinic(db: Database, sessionId: string, clinicId: string): Promise<void> {
  await db.updateTable('staff_sessions').set({ clinic_id: clinicId }).where('id', '=', sessionId).execute();
}
