import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { AppError, errors } from '../../errors.ts';
import { splitNameSql } from '../patients/names.ts';

export interface Person {
  cpr: string;
  name: string;
  email: string;
  phone: string | null;
  /** Set when MitID has identified the person. */
  mitidUuid: string | null;
}

/**
 * Whether another login has this address, in any case: another person's (another CPR), or any
 * login but the given one. PostgreSQL's lower() on both sides, as the unique index on lower(email)
 * and recordAndLoginSteps compare: JavaScript's toLowerCase maps a few letters differently.
 */
export async function addressHeldByAnother(trx: Transaction<DB>, email: string, other: { cpr: string } | { accountId: string }): Promise<boolean> {
  const holder = await trx
    .selectFrom('patient_accounts')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['email']), '=', eb.fn('lower', [eb.val(email)])))
    .where((eb) => ('cpr' in other ? eb('cpr', '<>', other.cpr) : eb('id', '<>', other.accountId)))
    .executeTakeFirst();
  return holder !== undefined;
}

/** The address is another person's login's: the answer says what the secretary must do, not whose it is. */
export const emailInUse = () =>
  new AppError(
    409,
    'email_in_use',
    {
      // No other clinic's patient is confirmed by this answer.
      da: 'Adressen kan ikke bruges til dette login. Bed patienten om en e-mailadresse, som kun patienten selv bruger.',
      en: 'The address cannot be used for this login. Ask the patient for an e-mail address that only the patient uses.',
    },
    'email',
  );

/** The clinic's record of the person, and the person's one login (see ensureRecordAndLogin). */
export interface RecordAndLogin {
  patientId: string;
  accountId: string;
  /** The login must be activated from a mailed link before it can be used. */
  needsActivation: boolean;
  /** The login's address: a kept login keeps its own. */
  email: string;
  /** The login was created now, so it has no links to void. */
  created: boolean;
}

/** What recordAndLoginSteps found and did, as the columns of its `facts` row. */
export interface LoginFacts {
  patient_id: string | null;
  login_id: string | null;
  login_email: string | null;
  login_activated_at: Date | null;
  login_deleted_at: Date | null;
  address_taken: boolean;
  created_login_id: string | null;
}

/**
 * The clinic's record of the person, from an earlier step of the statement (`from`, with a
 * condition if need be) that gives clinic_id, cpr, name, email and phone: inserted unless the
 * clinic has the person (unique clinic_id, cpr), the name split in SQL as splitName splits it.
 */
export function recordInsertFrom(from: RawBuilder<unknown>) {
  const { given, family } = splitNameSql(sql<string>`name`);
  return sql`insert into patients (clinic_id, cpr, given_name, family_name, email, phone)
    select clinic_id, cpr, ${given}, ${family}, email, phone from ${from}
    on conflict (clinic_id, cpr) do nothing
    returning id`;
}

/**
 * A new login for the person of an earlier step (`from`) that gives cpr, email, phone and
 * mitid_uuid: usable at once when MitID identified the person, otherwise waiting for activation.
 */
export function loginInsertFrom(from: RawBuilder<unknown>, now: Date) {
  return sql`insert into patient_accounts (cpr, created_at, email, phone, activated_at, mitid_uuid)
    select cpr, ${now}, email, phone, case when mitid_uuid is not null then ${now}::timestamptz end, mitid_uuid from ${from}
    returning id`;
}

/**
 * The common cases of ensureRecordAndLogin as the steps of one statement (data-modifying CTEs),
 * after a `person` step that gives at most one row of clinic_id, cpr, name, email, phone and
 * mitid_uuid (null unless MitID identified the person):
 * - the clinic's patient record, inserted unless the clinic has the person (unique clinic_id, cpr);
 * - the person's login by CPR, read and locked, and whether another person's login has the address;
 * - a new login, unless there is one or the address is taken.
 * The last step, `facts`, is always one row (LoginFacts). The writes are independent (see
 * db/one-statement.ts); a throw after them rolls back the caller's transaction, the record included.
 */
export function recordAndLoginSteps(now: Date) {
  return sql`created_record as (${recordInsertFrom(sql`person`)}), login as (
      select a.id, a.email, a.activated_at, a.deleted_at from patient_accounts a join person p on a.cpr = p.cpr for update of a
    ), taken as (
      select exists (select 1 from patient_accounts h join person p on lower(h.email) = lower(p.email) and h.cpr <> p.cpr) as address_taken
    ), created_login as (
      ${loginInsertFrom(sql`person cross join taken where not address_taken and not exists (select 1 from login)`, now)}
    ), facts as (
      select coalesce((select id from created_record), (select r.id from patients r join person p on r.clinic_id = p.clinic_id and r.cpr = p.cpr)) as patient_id,
        l.id as login_id, l.email as login_email, l.activated_at as login_activated_at, l.deleted_at as login_deleted_at,
        t.address_taken, (select id from created_login) as created_login_id
      from taken t left join login l on true
    )`;
}

/**
 * The clinic's record of the person (matched by CPR, or created from what we were told) and the
 * person's one login (by CPR): created if new, started over if they had deleted it, kept as it is
 * otherwise. A person MitID has identified can use it at once (MitID login); anyone else must
 * activate it from a mailed link, which `needsActivation` says. One round trip when the login is
 * new (recordAndLoginSteps).
 */
export async function ensureRecordAndLogin(trx: Transaction<DB>, clinicId: string, person: Person, now: Date): Promise<RecordAndLogin> {
  const { rows } = await sql<LoginFacts>`
    with person as (
      select ${clinicId}::uuid as clinic_id, ${person.cpr}::text as cpr, ${person.name}::text as name, ${person.email}::text as email,
        ${person.phone}::text as phone, ${person.mitidUuid}::text as mitid_uuid
    ), ${recordAndLoginSteps(now)}
    select * from facts`.execute(trx);
  const [facts] = rows;
  if (!facts) throw new Error('ensureRecordAndLogin: the facts step gives one row');
  return settleRecordAndLogin(trx, clinicId, person, facts, now);
}

/**
 * The rest of ensureRecordAndLogin after recordAndLoginSteps: the rare cases its statement leaves
 * (a record created meanwhile by another transaction, a deleted login started over, a kept login's
 * MitID and phone), and the address check's answer.
 */
export async function settleRecordAndLogin(trx: Transaction<DB>, clinicId: string, person: Person, facts: LoginFacts, now: Date): Promise<RecordAndLogin> {
  const verified = person.mitidUuid !== null;
  // Another transaction created the record after the statement's snapshot was taken (the insert
  // waited for that one to commit): a new statement sees it.
  const patientId =
    facts.patient_id ??
    (await trx.selectFrom('patients').select('id').where('clinic_id', '=', clinicId).where('cpr', '=', person.cpr).executeTakeFirstOrThrow()).id;
  if (facts.created_login_id) return { patientId, accountId: facts.created_login_id, needsActivation: !verified, email: person.email, created: true };
  if (!facts.login_id) {
    // No login, and none inserted: the address is another person's. (The statement inserts a login
    // whenever there is none and the address is free, so the second answer is only a safeguard.)
    if (facts.address_taken) throw emailInUse();
    throw errors.concurrentChange();
  }
  const accountId = facts.login_id;
  if (facts.login_deleted_at) {
    // The address becomes the started-over login's: it must not be another person's. The deleted
    // login's lock may have waited for another transaction, which the statement's snapshot does
    // not see, so this asks again.
    if (await addressHeldByAnother(trx, person.email, { cpr: person.cpr })) throw emailInUse();
    await trx
      .updateTable('patient_accounts')
      .set({
        email: person.email,
        phone: person.phone,
        activated_at: verified ? now : null,
        mitid_uuid: person.mitidUuid,
        deleted_at: null,
        password_hash: null,
        failed_logins: 0,
        stopped_at: null,
      })
      .where('id', '=', accountId)
      .execute();
    return { patientId, accountId, needsActivation: !verified, email: person.email, created: false };
  }
  if (verified) {
    await trx
      .updateTable('patient_accounts')
      .set({ mitid_uuid: person.mitidUuid, activated_at: sql<Date>`coalesce(activated_at, ${now}::timestamptz)` })
      .where('id', '=', accountId)
      .execute();
  }
  // The phone given at registration reaches the profile unless the login already has one.
  if (person.phone !== null) {
    await trx.updateTable('patient_accounts').set({ phone: person.phone }).where('id', '=', accountId).where('phone', 'is', null).execute();
  }
  return {
    patientId,
    accountId,
    needsActivation: !verified && facts.login_activated_at === null,
    email: facts.login_email ?? person.email,
    created: false,
  };
}
