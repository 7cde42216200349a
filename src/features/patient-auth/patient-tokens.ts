import { sql, type Kysely } from 'kysely';
import type { DB, PatientTokenPurpose } from '../../db/schema.ts';
import { errors } from '../../errors.ts';
import { hashToken, newToken } from '../auth/tokens.ts';

export const TOKEN_LIFETIME_MS: Record<PatientTokenPurpose, number> = {
  activation: 7 * 24 * 3_600_000,
  password_reset: 3_600_000,
  email_change: 3_600_000,
};

/**
 * Issues a one-time link token. Older unused tokens of the same purpose for the account are
 * voided in the same transaction: only the newest link works. The login's row is locked first,
 * so two issues at the same moment (Gensend at two clinics, Ny kode and "Glemt adgangskode")
 * run one after the other and the second voids the first's link; a unique index on unused
 * tokens per login and purpose holds the rule even if a caller forgot the lock.
 */
export async function issuePatientToken(
  trx: Kysely<DB>,
  input: { accountId: string; purpose: PatientTokenPurpose; clinicId?: string | null; newEmail?: string | null },
  now: Date,
): Promise<string> {
  await trx.selectFrom('patient_accounts').select('id').where('id', '=', input.accountId).forUpdate().execute();
  await retireLivePatientTokens(trx, input.accountId, input.purpose, now);
  const { token, insert } = patientTokenInsert(input, now);
  await insert.execute(trx);
  return token;
}

/** Voids the login's unused tokens of one purpose. Hold the login's row lock (see issuePatientToken). */
export async function retireLivePatientTokens(trx: Kysely<DB>, accountId: string, purpose: PatientTokenPurpose, now: Date): Promise<void> {
  await trx
    .updateTable('patient_tokens')
    .set({ used_at: now })
    .where('account_id', '=', accountId)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .execute();
}

/**
 * A new token and its insert, not yet run, for a caller that holds the login's row lock and has no
 * live token of the purpose left (a login it has just created, or after retireLivePatientTokens):
 * the insert can then join the change's other writes in one statement.
 */
export function patientTokenInsert(input: { accountId: string; purpose: PatientTokenPurpose; clinicId?: string | null; newEmail?: string | null }, now: Date) {
  const token = newToken();
  // SQL rather than the query builder: an approval writes it (docs/ARCHITECTURE.md, "Hot statements").
  const insert = sql`insert into patient_tokens (token_hash, account_id, purpose, clinic_id, new_email, created_at, expires_at)
    values (${hashToken(token)}, ${input.accountId}, ${input.purpose}, ${input.clinicId ?? null}, ${input.newEmail ?? null}, ${now}, ${new Date(now.getTime() + TOKEN_LIFETIME_MS[input.purpose])})`;
  return { token, insert };
}

/** Reads a token without using it (the page a link opens). Throws 410 when it cannot be used. */
export async function peekPatientToken(db: Kysely<DB>, token: string, purpose: PatientTokenPurpose, now: Date) {
  const row = await db
    .selectFrom('patient_tokens')
    .select(['account_id', 'clinic_id', 'new_email'])
    .where('token_hash', '=', hashToken(token))
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  if (!row) throw errors.invalidToken();
  return row;
}

/**
 * Uses a token: checked and marked used in one statement, so two submits at once cannot both
 * use it. Throws 410 when it is expired, used or replaced.
 */
export async function usePatientToken(trx: Kysely<DB>, token: string, purpose: PatientTokenPurpose, now: Date) {
  const row = await trx
    .updateTable('patient_tokens')
    .set({ used_at: now })
    .where('token_hash', '=', hashToken(token))
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning(['account_id', 'clinic_id', 'new_email'])
    .executeTakeFirst();
  if (!row) throw errors.invalidToken();
  return row;
}
