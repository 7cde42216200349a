import { randomInt } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { AppContext } from '../../context.ts';
import type { Database } from '../../db/database.ts';
import { AppError, errors } from '../../errors.ts';
import type { Actor } from '../audit/audit.ts';
import { audit } from '../audit/audit.ts';
import { hashToken, hmac, newToken } from '../auth/tokens.ts';
import { newTotpSecret, openSecret, sealSecret, totpStep, totpUri } from './totp.ts';

export const CHALLENGE_TTL_MS = 10 * 60_000;
export const CHALLENGE_MAX_TRIES = 5;
export const RECOVERY_CODE_COUNT = 10;
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

const noEnrolment = () =>
  errors.conflict('enrolment_missing', {
    da: 'Start opsætningen af to-trinsbekræftelse igen.',
    en: 'Start setting up two-step verification again.',
  });
const challengeExpired = () =>
  new AppError(401, 'second_factor_expired', {
    da: 'Login er udløbet eller prøvet for mange gange. Log ind med adgangskoden igen.',
    en: 'The login has expired or was tried too often. Log in with your password again.',
  });
const wrongCode = (left: number) =>
  new AppError(401, 'second_factor_wrong', {
    da: `Forkert kode. Du har ${String(left)} forsøg tilbage.`,
    en: `Wrong code. You have ${String(left)} tries left.`,
  });

/** Whether the user has TOTP, and whether a clinic of theirs or support requires a second factor. */
export async function secondFactorStatus(db: Database, userId: string) {
  const row = await db
    .selectFrom('staff_users as u')
    .select((eb) => [
      'u.totp_enabled_at',
      eb.exists(eb.selectFrom('staff_passkeys as p').select('p.id').whereRef('p.user_id', '=', 'u.id')).as('has_passkey'),
      eb
        .or([
          eb.exists(eb.selectFrom('platform_settings').select('id').where('require_staff_2fa', '=', true)),
          eb.exists(
            eb
              .selectFrom('staff_memberships as m')
              .innerJoin('clinics as c', 'c.id', 'm.clinic_id')
              .select('m.user_id')
              .whereRef('m.user_id', '=', 'u.id')
              .where('c.require_staff_2fa', '=', true),
          ),
        ])
        .as('required'),
    ])
    .where('u.id', '=', userId)
    .executeTakeFirstOrThrow();
  const methods = [...(row.has_passkey ? (['passkey'] as const) : []), ...(row.totp_enabled_at ? (['totp'] as const) : [])];
  return { enrolled: methods.length > 0, required: row.required, methods };
}

/** A login whose password was right and which waits for its second factor (or enrolment). Returns the cookie token. */
export async function startChallenge(db: Database, userId: string, now: Date): Promise<string> {
  const token = newToken();
  await db
    .insertInto('staff_login_challenges')
    .values({ token_hash: hashToken(token), user_id: userId, created_at: now, expires_at: new Date(now.getTime() + CHALLENGE_TTL_MS) })
    .execute();
  return token;
}

/** The waiting login of a cookie, if it can still be used. */
export async function findChallenge(db: Database, token: string | undefined, now: Date) {
  if (!token) return undefined;
  return db
    .selectFrom('staff_login_challenges')
    .select(['id', 'user_id'])
    .where('token_hash', '=', hashToken(token))
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .where('attempts', '<', CHALLENGE_MAX_TRIES)
    .executeTakeFirst();
}

/** Counts a try in its own statement (kept even when the code is wrong); at most 5 per login. */
export async function countTry(db: Database, token: string | undefined, now: Date) {
  if (!token) throw challengeExpired();
  const tried = await db
    .updateTable('staff_login_challenges')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('token_hash', '=', hashToken(token))
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .where('attempts', '<', CHALLENGE_MAX_TRIES)
    .returning(['id', 'user_id', 'attempts'])
    .executeTakeFirst();
  if (!tried) throw challengeExpired();
  return tried;
}

const recoveryHash = (ctx: AppContext, userId: string, code: string) =>
  hmac(ctx.config.sessionSecret, `staff-recovery:${userId}:${code.toLowerCase().replace(/[^a-z0-9]/g, '')}`);

/**
 * The second step of a staff login: a TOTP code (each time step used once) or a one-time recovery
 * code. Returns the user whose session may now be opened; the waiting login is used up.
 */
export async function verifySecondFactor(ctx: AppContext, token: string | undefined, input: { method: 'totp' | 'recovery'; code: string; ip: string }) {
  const now = ctx.clock.now();
  const tried = await countTry(ctx.db, token, now);
  const left = CHALLENGE_MAX_TRIES - tried.attempts;
  const refuse = () => (left > 0 ? wrongCode(left) : challengeExpired());
  return ctx.db.transaction().execute(async (trx) => {
    if (input.method === 'totp') {
      const user = await trx.selectFrom('staff_users').select('totp_secret').where('id', '=', tried.user_id).executeTakeFirstOrThrow();
      const step = user.totp_secret ? totpStep(openSecret(ctx.config.sessionSecret, user.totp_secret), input.code, now) : null;
      if (step === null) throw refuse();
      // A code seen once (or an older one) is refused: a watched code cannot be replayed.
      const fresh = await trx
        .updateTable('staff_users')
        .set({ totp_last_step: step })
        .where('id', '=', tried.user_id)
        .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
        .returning('id')
        .executeTakeFirst();
      if (!fresh) throw refuse();
    } else {
      const used = await trx
        .updateTable('staff_recovery_codes')
        .set({ used_at: now })
        .where('user_id', '=', tried.user_id)
        .where('code_hash', '=', recoveryHash(ctx, tried.user_id, input.code))
        .where('used_at', 'is', null)
        .returning('user_id')
        .executeTakeFirst();
      if (!used) throw refuse();
    }
    const done = await trx
      .updateTable('staff_login_challenges')
      .set({ used_at: now })
      .where('id', '=', tried.id)
      .where('used_at', 'is', null)
      .returning('user_id')
      .executeTakeFirst();
    if (!done) throw challengeExpired();
    await audit(trx, { type: 'staff', id: tried.user_id, ip: input.ip }, now, { action: 'staff.second_factor', details: { method: input.method } });
    return { userId: tried.user_id };
  });
}

/** Starts TOTP enrolment: a new secret waits until a code from it is confirmed. */
export async function startTotpEnrolment(ctx: AppContext, userId: string) {
  const user = await ctx.db.selectFrom('staff_users').select('email').where('id', '=', userId).executeTakeFirstOrThrow();
  const secret = newTotpSecret();
  await ctx.db
    .updateTable('staff_users')
    .set({ totp_pending_secret: sealSecret(ctx.config.sessionSecret, secret) })
    .where('id', '=', userId)
    .execute();
  return { secret, uri: totpUri(secret, user.email) };
}

function newRecoveryCode(): string {
  const chars = Array.from({ length: 10 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

/**
 * Confirms enrolment with a code from the new secret: TOTP is on, and 10 new recovery codes
 * (about 49 bits each, stored as an HMAC with the server secret) replace any earlier ones. The
 * codes are shown this once.
 */
export async function confirmTotpEnrolment(ctx: AppContext, userId: string, code: string, actor: Actor): Promise<string[]> {
  const now = ctx.clock.now();
  const user = await ctx.db.selectFrom('staff_users').select('totp_pending_secret').where('id', '=', userId).executeTakeFirstOrThrow();
  if (!user.totp_pending_secret) throw noEnrolment();
  const step = totpStep(openSecret(ctx.config.sessionSecret, user.totp_pending_secret), code, now);
  if (step === null) {
    throw errors.validation('code', {
      da: 'Koden passer ikke. Prøv den næste kode fra appen.',
      en: 'The code does not match. Try the next code from the app.',
    });
  }
  return ctx.db.transaction().execute(async (trx) => {
    const enabled = await trx
      .updateTable('staff_users')
      .set({ totp_secret: sql`totp_pending_secret`, totp_pending_secret: null, totp_enabled_at: now, totp_last_step: step })
      .where('id', '=', userId)
      .where('totp_pending_secret', '=', user.totp_pending_secret)
      .returning('id')
      .executeTakeFirst();
    if (!enabled) throw noEnrolment();
    await audit(trx, actor, now, { action: 'staff.totp_enrolled' });
    return issueRecoveryCodes(trx, ctx, userId);
  });
}

/** Ten new recovery codes replace any earlier ones; the caller shows them this once. */
export async function issueRecoveryCodes(trx: Kysely<DB>, ctx: AppContext, userId: string): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await trx.deleteFrom('staff_recovery_codes').where('user_id', '=', userId).execute();
  await trx
    .insertInto('staff_recovery_codes')
    .values(codes.map((c) => ({ user_id: userId, code_hash: recoveryHash(ctx, userId, c), used_at: null })))
    .execute();
  return codes;
}

/** Uses up a waiting login once its enrolment is confirmed (enrolment at first login). */
export async function useChallenge(db: Database, id: string, now: Date): Promise<void> {
  const done = await db.updateTable('staff_login_challenges').set({ used_at: now }).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
  if (done.numUpdatedRows !== 1n) throw challengeExpired();
}
