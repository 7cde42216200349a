import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { splitName } from '../patients/names.ts';

export interface Person {
  cpr: string;
  name: string;
  email: string;
  phone: string | null;
  /** Set when MitID has identified the person. */
  mitidUuid: string | null;
}

/** The clinic's record of the person: matched by CPR, or created from what we were told. */
export async function findOrCreatePatientRecord(trx: Transaction<DB>, clinicId: string, person: Person): Promise<string> {
  const { given, family } = splitName(person.name);
  // One round trip: the insert does nothing when the clinic has the person (unique clinic_id, cpr),
  // and the select then finds the record.
  const row = await trx
    .with('created', (db) =>
      db
        .insertInto('patients')
        .values({ clinic_id: clinicId, cpr: person.cpr, given_name: given, family_name: family, email: person.email, phone: person.phone })
        .onConflict((oc) => oc.columns(['clinic_id', 'cpr']).doNothing())
        .returning('id'),
    )
    .selectFrom('created')
    .select('id')
    .unionAll((db) => db.selectFrom('patients').select('id').where('clinic_id', '=', clinicId).where('cpr', '=', person.cpr))
    .limit(1)
    .executeTakeFirst();
  if (row) return row.id;
  // Another transaction created the record after this statement's snapshot was taken (it waited
  // for that one to commit): a new statement sees it.
  return (await trx.selectFrom('patients').select('id').where('clinic_id', '=', clinicId).where('cpr', '=', person.cpr).executeTakeFirstOrThrow()).id;
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

/**
 * The person's one login (by CPR): created if new, started over if they had deleted it, kept as
 * it is otherwise. A person MitID has identified can use it at once (MitID login); anyone else
 * must activate it from a mailed link, which `needsActivation` says.
 */
export async function ensureAccount(
  trx: Transaction<DB>,
  person: Person,
  now: Date,
): Promise<{ accountId: string; needsActivation: boolean; email: string; created: boolean }> {
  const verified = person.mitidUuid !== null;
  // One round trip: the person's login, locked, and whether another person's login has the address.
  const found = await sql<{ id: string | null; email: string | null; activated_at: Date | null; deleted_at: Date | null; address_taken: boolean }>`
    select a.id, a.email, a.activated_at, a.deleted_at,
      exists (select 1 from patient_accounts h where lower(h.email) = ${person.email.toLowerCase()} and h.cpr <> ${person.cpr}) as address_taken
    from (select) as one
    left join lateral (select id, email, activated_at, deleted_at from patient_accounts where cpr = ${person.cpr} for update) as a on true`.execute(trx);
  // The outer select always gives one row; its login columns are null when there is no login.
  const row = found.rows[0];
  const account = row?.id ? { ...row, id: row.id } : undefined;
  // The address becomes the login's (new or started over): it must not be another person's. A
  // deleted login's lock may have waited for another transaction, which the statement's snapshot
  // does not see, so that rare case asks again.
  const addressTaken = account?.deleted_at ? await addressHeldByAnother(trx, person.email, person.cpr) : (row?.address_taken ?? false);
  if ((!account || account.deleted_at) && addressTaken) throw emailInUse();
  const fresh = { email: person.email, phone: person.phone, activated_at: verified ? now : null, mitid_uuid: person.mitidUuid };
  if (!account) {
    const created = await trx
      .insertInto('patient_accounts')
      .values({ cpr: person.cpr, created_at: now, ...fresh })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { accountId: created.id, needsActivation: !verified, email: person.email, created: true };
  }
  if (account.deleted_at) {
    await trx
      .updateTable('patient_accounts')
      .set({ ...fresh, deleted_at: null, password_hash: null, failed_logins: 0, stopped_at: null })
      .where('id', '=', account.id)
      .execute();
    return { accountId: account.id, needsActivation: !verified, email: person.email, created: false };
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
  return { accountId: account.id, needsActivation: !verified && account.activated_at === null, email: account.email ?? person.email, created: false };
}
