import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { AppError, errors } from '../../errors.ts';
import { splitName } from '../patients/names.ts';

export interface Person {
  cpr: string;
  name: string;
  email: string;
  phone: string | null;
  /** Set when MitID has identified the person. */
  mitidUuid: string | null;
}

/** Whether another person's login (another CPR) has this address, in any case. */
export async function addressHeldByAnother(trx: Transaction<DB>, email: string, cpr: string): Promise<boolean> {
  const holder = await trx
    .selectFrom('patient_accounts')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .where('cpr', '<>', cpr)
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

interface Found {
  patient_id: string | null;
  id: string | null;
  email: string | null;
  activated_at: Date | null;
  deleted_at: Date | null;
  address_taken: boolean;
  created_id: string | null;
}

/**
 * The clinic's record of the person (matched by CPR, or created from what we were told) and the
 * person's one login (by CPR): created if new, started over if they had deleted it, kept as it is
 * otherwise. A person MitID has identified can use it at once (MitID login); anyone else must
 * activate it from a mailed link, which `needsActivation` says.
 *
 * One round trip for the common cases: the record's insert does nothing when the clinic has the
 * person (unique clinic_id, cpr); the login is read and locked, with whether another person's
 * login has the address; and a new login is inserted unless there is one or the address is taken.
 * The writes are independent (see db/one-statement.ts), and a throw here rolls back the caller's
 * transaction, the record included.
 */
export async function ensureRecordAndLogin(trx: Transaction<DB>, clinicId: string, person: Person, now: Date): Promise<RecordAndLogin> {
  const verified = person.mitidUuid !== null;
  const { given, family } = splitName(person.name);
  const activatedAt = verified ? now : null;
  const found = await sql<Found>`
    with created_record as (
      insert into patients (clinic_id, cpr, given_name, family_name, email, phone)
      values (${clinicId}, ${person.cpr}, ${given}, ${family}, ${person.email}, ${person.phone})
      on conflict (clinic_id, cpr) do nothing
      returning id
    ), login as (
      select id, email, activated_at, deleted_at from patient_accounts where cpr = ${person.cpr} for update
    ), taken as (
      select exists (select 1 from patient_accounts h where lower(h.email) = ${person.email.toLowerCase()} and h.cpr <> ${person.cpr}) as address_taken
    ), created_login as (
      insert into patient_accounts (cpr, created_at, email, phone, activated_at, mitid_uuid)
      select ${person.cpr}, ${now}, ${person.email}, ${person.phone}, ${activatedAt}::timestamptz, ${person.mitidUuid}
      from taken where not taken.address_taken and not exists (select 1 from login)
      returning id
    )
    select coalesce((select id from created_record), (select id from patients where clinic_id = ${clinicId} and cpr = ${person.cpr})) as patient_id,
      l.id, l.email, l.activated_at, l.deleted_at, t.address_taken, (select id from created_login) as created_id
    from taken t left join login l on true`.execute(trx);
  // The outer select reads the one row of `taken`, so there is always one row.
  const [row] = found.rows;
  if (!row) throw new Error('ensureRecordAndLogin: the statement returned no row');
  // Another transaction created the record after this statement's snapshot was taken (the insert
  // waited for that one to commit): a new statement sees it.
  const patientId =
    row.patient_id ??
    (await trx.selectFrom('patients').select('id').where('clinic_id', '=', clinicId).where('cpr', '=', person.cpr).executeTakeFirstOrThrow()).id;
  if (row.created_id) return { patientId, accountId: row.created_id, needsActivation: !verified, email: person.email, created: true };
  if (!row.id) {
    // No login, and none inserted: the address is another person's.
    if (row.address_taken) throw emailInUse();
    throw errors.concurrentChange();
  }
  const account = { ...row, id: row.id };
  const fresh = { email: person.email, phone: person.phone, activated_at: activatedAt, mitid_uuid: person.mitidUuid };
  if (account.deleted_at) {
    // The address becomes the started-over login's: it must not be another person's. The deleted
    // login's lock may have waited for another transaction, which the statement's snapshot does
    // not see, so this asks again.
    if (await addressHeldByAnother(trx, person.email, person.cpr)) throw emailInUse();
    await trx
      .updateTable('patient_accounts')
      .set({ ...fresh, deleted_at: null, password_hash: null, failed_logins: 0, stopped_at: null })
      .where('id', '=', account.id)
      .execute();
    return { patientId, accountId: account.id, needsActivation: !verified, email: person.email, created: false };
  }
  if (verified) {
    await trx
      .updateTable('patient_accounts')
      .set({ mitid_uuid: person.mitidUuid, activated_at: sql<Date>`coalesce(activated_at, ${now}::timestamptz)` })
      .where('id', '=', account.id)
      .execute();
  }
  // The phone given at registration reaches the profile unless the login already has one.
  if (person.phone !== null) {
    await trx.updateTable('patient_accounts').set({ phone: person.phone }).where('id', '=', account.id).where('phone', 'is', null).execute();
  }
  return {
    patientId,
    accountId: account.id,
    needsActivation: !verified && account.activated_at === null,
    email: account.email ?? person.email,
    created: false,
  };
}
