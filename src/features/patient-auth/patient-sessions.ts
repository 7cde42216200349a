import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import { prepared, type Database } from '../../db/database.ts';
import type { DB, PatientAccountsTable, PatientSessionsTable } from '../../db/schema.ts';
import type { SessionPolicy } from '../auth/staff-sessions.ts';
import { hashToken, newToken } from '../auth/tokens.ts';

export interface PatientSession {
  id: string;
  accountId: string;
  /** Set when the session was opened with MitID: the level of assurance and the person's name. */
  mitid: { loa: string; name: string } | null;
  /** The CPR number of the person the patient has switched to act for (a child), or null. */
  actingForCpr: string | null;
  /** The fuldmagt the patient acts under now (for its giver), or null. */
  actingForFuldmagtId: string | null;
}

/** A new session's id and cookie token (only its hash is stored) and when it ends at the latest. */
export function newPatientSession(now: Date, policy: SessionPolicy) {
  const token = newToken();
  return { id: randomUUID(), token, tokenHash: hashToken(token), expiresAt: new Date(now.getTime() + policy.absoluteMs) };
}

export async function createPatientSession(
  trx: Kysely<DB>,
  accountId: string,
  now: Date,
  policy: SessionPolicy,
  mitid?: { loa: string; name: string },
): Promise<{ id: string; token: string }> {
  const session = newPatientSession(now, policy);
  await trx
    .insertInto('patient_sessions')
    .values({
      id: session.id,
      token_hash: session.tokenHash,
      account_id: accountId,
      created_at: now,
      last_seen_at: now,
      expires_at: session.expiresAt,
      mitid_loa: mitid?.loa ?? null,
      mitid_name: mitid?.name ?? null,
    })
    .execute();
  return { id: session.id, token: session.token };
}

type PatientSessionRow = Pick<
  Selectable<PatientSessionsTable>,
  'id' | 'account_id' | 'last_seen_at' | 'expires_at' | 'mitid_loa' | 'mitid_name' | 'acting_for_cpr' | 'acting_for_fuldmagt_id'
> &
  Pick<Selectable<PatientAccountsTable>, 'deleted_at'>;

export type PatientSessionLookup = { status: 'valid'; session: PatientSession } | { status: 'expired' } | { status: 'none' };

/** Finds a patient session by its cookie token; idle and absolute timeouts end it on the spot. */
export async function findPatientSession(db: Database, token: string, now: Date, policy: SessionPolicy): Promise<PatientSessionLookup> {
  // Every patient request starts here, so it is SQL rather than the query builder, and prepared
  // (docs/ARCHITECTURE.md, "Hot statements").
  const { rows } = await prepared(sql<PatientSessionRow>`
    select s.id, s.account_id, s.last_seen_at, s.expires_at, s.mitid_loa, s.mitid_name, s.acting_for_cpr, s.acting_for_fuldmagt_id, a.deleted_at
    from patient_sessions s join patient_accounts a on a.id = s.account_id
    where s.token_hash = ${hashToken(token)}`).execute(db);
  const [row] = rows;
  if (!row) return { status: 'none' };
  const idleFor = now.getTime() - row.last_seen_at.getTime();
  if (now >= row.expires_at || idleFor >= policy.idleMs || row.deleted_at) {
    await db.deleteFrom('patient_sessions').where('id', '=', row.id).execute();
    return { status: 'expired' };
  }
  if (idleFor > 60_000) {
    await db.updateTable('patient_sessions').set({ last_seen_at: now }).where('id', '=', row.id).execute();
  }
  return {
    status: 'valid',
    session: {
      id: row.id,
      accountId: row.account_id,
      mitid: row.mitid_loa && row.mitid_name ? { loa: row.mitid_loa, name: row.mitid_name } : null,
      actingForCpr: row.acting_for_cpr,
      actingForFuldmagtId: row.acting_for_fuldmagt_id,
    },
  };
}

export async function deletePatientSession(db: Database, sessionId: string): Promise<void> {
  await db.deleteFrom('patient_sessions').where('id', '=', sessionId).execute();
}
