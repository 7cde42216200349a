import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';

/** A clinic by its registration page's slug (`/portal/register/<slug>`). */
export function clinicBySlug(db: Database, slug: string) {
  return db.selectFrom('clinics').selectAll().where('slug', '=', slug).executeTakeFirst();
}

/** The slug of a clinic, for the way back to its registration page. */
export async function slugOfClinic(db: Database, clinicId: string): Promise<string> {
  return (await db.selectFrom('clinics').select('slug').where('id', '=', clinicId).executeTakeFirstOrThrow()).slug;
}

/** The person's latest login request at the clinic (by the CPR number MitID gave). */
export function latestRequestOf(db: Database, clinicId: string, cpr: string) {
  return db
    .selectFrom('login_requests')
    .select(['status', 'rejection_reason'])
    .where('clinic_id', '=', clinicId)
    .where('cpr', '=', cpr)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
}

/** The contact data typed on the registration page and the hash of the code mailed to check the e-mail. */
export async function setRegistrationContact(
  trx: Kysely<DB>,
  identityId: string,
  contact: { email: string; phone: string | null; emailCodeHash: string },
): Promise<void> {
  await trx
    .updateTable('mitid_identities')
    .set({ email: contact.email, phone: contact.phone, email_code_hash: contact.emailCodeHash, email_code_attempts: 0, email_verified_at: null })
    .where('id', '=', identityId)
    .execute();
}

/** One more wrong e-mail code (at most EMAIL_CODE_TRIES count). */
export async function countWrongEmailCode(db: Database, identityId: string): Promise<void> {
  await db
    .updateTable('mitid_identities')
    .set((eb) => ({ email_code_attempts: eb('email_code_attempts', '+', 1) }))
    .where('id', '=', identityId)
    .execute();
}
