import { randomInt, randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { DB, PatientAccountsTable } from '../../db/schema.ts';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { normalizeCpr } from '../patients/cpr.ts';
import { writeAsOneStatement } from '../../db/one-statement.ts';
import { prepared } from '../../db/database.ts';
import { audit, auditInserts } from '../audit/audit.ts';
import { turnAwayWhenHashingIsFull, verifyPassword } from '../auth/passwords.ts';
import { hmac } from '../auth/tokens.ts';
import { enqueueMail, mailAddress, mailInsert } from '../mail/outbox.ts';
import { newPatientSession } from './patient-sessions.ts';
import { FailureThrottle } from './failure-throttle.ts';
import { deviceKey, type DeviceEntry } from './device-cookies.ts';

export const MAX_CONSECUTIVE_FAILURES = 100;
export const CODE_TTL_MS = 10 * 60_000;
export const CODE_MAX_TRIES = 5;

const wrongCredentials = () =>
  new AppError(401, 'invalid_credentials', {
    da: 'Forkert CPR-nummer, e-mail eller adgangskode. Har du glemt adgangskoden, så brug "Glemt adgangskode".',
    en: 'Wrong CPR number, e-mail or password. If you forgot the password, use "Forgot password".',
  });
const codeExpired = () =>
  new AppError(401, 'code_expired', {
    da: 'Sikkerhedskoden er udløbet eller prøvet for mange gange. Log ind igen for at få en ny.',
    en: 'The security code has expired or was tried too often. Log in again to get a new one.',
  });
const codeWrong = (left: number) =>
  new AppError(401, 'code_wrong', {
    da: `Forkert sikkerhedskode. Du har ${left} forsøg tilbage.`,
    en: `Wrong security code. You have ${left} tries left.`,
  });

/** CPR numbers with or without the dash, or an e-mail address in any case, as one key. */
export function identifierKey(identifier: string): { cpr: string | null; email: string | null; key: string } {
  const cpr = normalizeCpr(identifier);
  if (cpr) return { cpr, email: null, key: `cpr:${cpr}` };
  const email = identifier.trim().toLowerCase();
  return { cpr: null, email, key: `email:${email}` };
}

/** The code is stored as an HMAC bound to its challenge, so a database copy does not give it away. */
const codeHash = (ctx: AppContext, challengeId: string, code: string) => hmac(ctx.config.sessionSecret, `${challengeId}:${code}`);

export interface LoginDeps {
  ctx: AppContext;
  throttle: FailureThrottle;
}

export type LoginAccount = Pick<Selectable<PatientAccountsTable>, 'id' | 'cpr' | 'email' | 'password_hash' | 'stopped_at' | 'failed_logins'>;

/** The columns a login reads of an activated, not deleted login, by CPR or e-mail. */
function loginAccountSelect(identifier: string) {
  const { cpr, email } = identifierKey(identifier);
  return sql<LoginAccount>`
    select id, cpr, email, password_hash, stopped_at, failed_logins from patient_accounts
    where ${cpr ? sql`cpr = ${cpr}` : sql`lower(email) = ${email}`} and deleted_at is null and activated_at is not null`;
}

/**
 * Finds an activated, not deleted login by CPR or e-mail. Like the other statements of a successful
 * login, it is SQL rather than the query builder, and prepared (docs/ARCHITECTURE.md, "Hot statements").
 */
export async function findLoginAccount(db: Kysely<DB>, identifier: string): Promise<LoginAccount | undefined> {
  const { rows } = await prepared(loginAccountSelect(identifier)).execute(db);
  return rows[0];
}

/**
 * findLoginAccount and the throttle's claim on what was typed, in one statement (one round trip
 * fewer for every login from a browser without a device cookie). Both always run, whether or not
 * the login exists, as they do one after the other; a refused claim throws 429 as claim() does.
 */
async function findLoginAccountCountingTry(db: Kysely<DB>, throttle: FailureThrottle, identifier: string, key: string, now: Date) {
  const { rows } = await prepared(sql<{ failures: number | null } & { [K in keyof LoginAccount]: LoginAccount[K] | null }>`
    with claimed as (${throttle.claimWrite(key, now)}), account as (${loginAccountSelect(identifier)})
    select (select failures from claimed) as failures, account.* from (values (0)) as one (x) left join account on true`).execute(db);
  // One row always: the statement selects from a one-row VALUES, and at most one login matches
  // (cpr and lower(email) are unique).
  const row = rows[0];
  if (!row) throw new Error('the login lookup returned no row');
  const { failures, ...account } = row;
  FailureThrottle.claimed(failures);
  return account.id === null ? undefined : (account as LoginAccount);
}

const loginStopped = () =>
  new AppError(403, 'login_stopped', {
    da: 'Adgangskoden er rigtig, men login med adgangskode er stoppet efter for mange forkerte forsøg fra andre browsere. Vi har sendt dig en mail. Vælg en ny adgangskode med "Glemt adgangskode", eller log ind fra en browser, hvor du har logget ind før.',
    en: 'The password is right, but password login was stopped after too many wrong tries from other browsers. We have sent you a mail. Choose a new password with "Forgot password", or log in from a browser where you have logged in before.',
  });

/** Matches no login: a failure for an unknown identifier runs the same statements as for a known one. */
const NO_ACCOUNT = '00000000-0000-0000-0000-000000000000';

/**
 * Step 1: password. The answer and the work (one argon2 verify, the same statements on a failure)
 * are the same whether or not the account exists; a correct password mails an 8-digit code and
 * returns the challenge to answer.
 *
 * A try with a valid device cookie of this login (device-cookies.ts) is slowed and counted by that
 * device only; any other try is an untrusted client, slowed by what was typed, and 100 untrusted
 * failures in a row stop password login from untrusted clients until a new password is chosen.
 */
export async function startPatientLogin({ ctx, throttle }: LoginDeps, input: { identifier: string; password: string; ip: string; devices: DeviceEntry[] }) {
  turnAwayWhenHashingIsFull();
  const now = ctx.clock.now();
  const { key } = identifierKey(input.identifier);
  // With no device cookie the try can only count against what was typed: counted with the lookup.
  const account =
    input.devices.length === 0
      ? await findLoginAccountCountingTry(ctx.db, throttle, input.identifier, key, now)
      : await findLoginAccount(ctx.db, input.identifier);
  let device = account ? input.devices.find((d) => d.accountId === account.id) : undefined;
  // A device that has failed as often as an untrusted client may is trusted no more.
  if (device && (await throttle.claim(deviceKey(device), now)) > MAX_CONSECUTIVE_FAILURES) device = undefined;
  const throttleKey = device ? deviceKey(device) : key;
  if (!device && input.devices.length > 0) await throttle.claim(key, now);
  const ok = await verifyPassword(account?.password_hash, input.password);
  if (!account || !ok) {
    await ctx.db.transaction().execute(async (trx) => {
      // Counted in one statement, so failures sent in parallel are each counted. A trusted
      // device's failures never count towards the stop.
      const counted = await trx
        .updateTable('patient_accounts')
        .set((eb) => ({
          failed_logins: eb('failed_logins', '+', 1),
          stopped_at: sql<Date | null>`case when failed_logins + 1 >= ${MAX_CONSECUTIVE_FAILURES} then ${now}::timestamptz else stopped_at end`,
        }))
        .where('id', '=', account && !device ? account.id : NO_ACCOUNT)
        .where('stopped_at', 'is', null)
        .returning(['failed_logins', 'email'])
        .executeTakeFirst();
      const stopped = counted?.failed_logins === MAX_CONSECUTIVE_FAILURES;
      await audit(trx, { type: 'patient', id: account?.id ?? null, ip: input.ip }, now, {
        action: stopped ? 'patient.login_stopped' : 'patient.login_failed',
        details: { trustedDevice: Boolean(device), ...(counted ? { failures: counted.failed_logins } : {}) },
      });
      if (counted && stopped && account) {
        await enqueueMail(
          trx,
          {
            to: mailAddress(counted.email, `patient account ${account.id}`),
            template: 'patientLoginStopped',
            params: { failures: MAX_CONSECUTIVE_FAILURES, link: `${ctx.config.publicUrl}/portal/forgot` },
          },
          now,
        );
      }
    });
    throw wrongCredentials();
  }
  // Only the holder of the right password learns that the login is stopped.
  if (!device && account.stopped_at) throw loginStopped();
  const code = String(randomInt(0, 100_000_000)).padStart(8, '0');
  const challengeId = randomUUID();
  // One statement, so one atomic change in one round trip: the key starts afresh, the challenge,
  // its code mail and the audit row (it was a delete and a transaction of five round trips).
  await writeAsOneStatement(
    ctx.db,
    [
      throttle.succeedWrite(throttleKey),
      // A trusted device's failures were never counted towards the stop (see above).
      device || account.failed_logins === 0 ? undefined : sql`update patient_accounts set failed_logins = 0 where id = ${account.id}`,
      sql`insert into patient_login_challenges (id, account_id, code_hash, created_at, expires_at)
        values (${challengeId}, ${account.id}, ${codeHash(ctx, challengeId, code)}, ${now}, ${new Date(now.getTime() + CODE_TTL_MS)})`,
      mailInsert(
        { to: mailAddress(account.email, `patient account ${account.id}`), template: 'patientLoginCode', params: { code, validMinutes: CODE_TTL_MS / 60_000 } },
        now,
      ),
      ...auditInserts({ type: 'patient', id: account.id, ip: input.ip }, now, { action: 'patient.login_code_sent' }),
    ],
    { prepared: true },
  );
  return { challengeId };
}

/** Step 2: the mailed code. At most 5 tries per code; a right one opens a session. */
export async function finishPatientLogin({ ctx }: LoginDeps, input: { challengeId: string; code: string; ip: string }) {
  const now = ctx.clock.now();
  const submitted = codeHash(ctx, input.challengeId, input.code.trim());
  const session = newPatientSession(now, ctx.sessionPolicy);
  // One statement: counts the try and, when the code is right, uses the challenge, opens the
  // session and writes the audit row (CTEs see the challenge's update through its RETURNING). Two
  // submits at once cannot both succeed, and a wrong code's count is kept. The audit row is as
  // audit() writes it; a patient's login belongs to no clinic, so it has no clinic-system event.
  const { rows } = await prepared(sql<{ account_id: string; attempts: number; used_at: Date | null }>`
    with tried as (
      update patient_login_challenges
      set attempts = attempts + 1, used_at = case when code_hash = ${submitted} then ${now}::timestamptz end
      where id = ${input.challengeId} and used_at is null and expires_at > ${now} and attempts < ${CODE_MAX_TRIES}
      returning account_id, attempts, used_at
    ), opened as (
      insert into patient_sessions (id, token_hash, account_id, created_at, last_seen_at, expires_at)
      select ${session.id}::uuid, ${session.tokenHash}, account_id, ${now}::timestamptz, ${now}::timestamptz, ${session.expiresAt}::timestamptz
      from tried where used_at is not null
    ), audited as (
      insert into audit_events (occurred_at, actor_type, actor_id, action, ip, details)
      select ${now}::timestamptz, 'patient', account_id, 'patient.login', ${input.ip}, '{}'::jsonb
      from tried where used_at is not null
    )
    select account_id, attempts, used_at from tried`).execute(ctx.db);
  const tried = rows[0];
  if (!tried) throw codeExpired();
  if (!tried.used_at) throw tried.attempts >= CODE_MAX_TRIES ? codeExpired() : codeWrong(CODE_MAX_TRIES - tried.attempts);
  return { session: { id: session.id, token: session.token }, accountId: tried.account_id };
}
