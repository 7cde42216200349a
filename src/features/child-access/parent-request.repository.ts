import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { DB, PortalFunction } from '../../db/schema.ts';
import { parentsMayActSql } from './child-access.repository.ts';

/** The parent's login and, when it is one of the parent's own clinics, that clinic's setting. */
export function parentAtClinic(db: Database, accountId: string, clinicId: string) {
  return db
    .selectFrom('portal_memberships as m')
    .innerJoin('patient_accounts as a', 'a.id', 'm.account_id')
    .innerJoin('clinics as c', 'c.id', 'm.clinic_id')
    .select(['a.cpr', 'a.email', 'c.name as clinic_name', parentsMayActSql.as('parents_may_act')])
    .where('m.account_id', '=', accountId)
    .where('m.clinic_id', '=', clinicId)
    .where('m.ended_at', 'is', null)
    .where('a.deleted_at', 'is', null)
    .executeTakeFirst();
}

/** The clinic's record of the child (by the unique clinic and CPR) and its live access there, if any. */
export function childAtClinic(db: Kysely<DB>, clinicId: string, childCpr: string) {
  return db
    .selectFrom('patients as p')
    .leftJoin('child_access as x', (join) => join.onRef('x.patient_id', '=', 'p.id').onRef('x.clinic_id', '=', 'p.clinic_id').on('x.ended_at', 'is', null))
    .select(['p.id', 'x.id as access_id'])
    .where('p.clinic_id', '=', clinicId)
    .where('p.cpr', '=', childCpr)
    .executeTakeFirst();
}

export function openRequestFor(trx: Kysely<DB>, clinicId: string, cpr: string) {
  return trx.selectFrom('login_requests').select('id').where('clinic_id', '=', clinicId).where('cpr', '=', cpr).where('status', '=', 'open').executeTakeFirst();
}

export function insertParentRequest(
  trx: Transaction<DB>,
  values: {
    clinicId: string;
    childCpr: string;
    childName: string;
    birthDate: string;
    parentEmail: string;
    parentAccountId: string;
    parentName: string;
    now: Date;
  },
) {
  return trx
    .insertInto('login_requests')
    .values({
      clinic_id: values.clinicId,
      cpr: values.childCpr,
      name: values.childName,
      birth_date: values.birthDate,
      // Answers go to the parent who asked; the child has no login.
      email: values.parentEmail,
      phone: null,
      identity_verified: 'mitid',
      mitid_uuid: null,
      status: 'open',
      reason: 'parent_request',
      requested_by_account_id: values.parentAccountId,
      requested_by_name: values.parentName,
      created_at: values.now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

export function markParentRequestApproved(
  trx: Transaction<DB>,
  requestId: string,
  values: { handledBy: string | null; rights: PortalFunction[]; patientId: string; now: Date },
) {
  return trx
    .updateTable('login_requests')
    .set({ status: 'approved', handled_at: values.now, handled_by: values.handledBy, granted_rights: values.rights, patient_id: values.patientId })
    .where('id', '=', requestId)
    .execute();
}

export function setRequestedBy(trx: Transaction<DB>, accessId: string, accountId: string) {
  return trx.updateTable('child_access').set({ requested_by_account_id: accountId }).where('id', '=', accessId).execute();
}

/** The clinic's record of the child: the one it has (unique clinic and CPR), or a new one without contact data. */
export async function findOrCreateChildRecord(trx: Transaction<DB>, clinicId: string, child: { cpr: string; given: string; family: string }) {
  const found = await trx.selectFrom('patients').select('id').where('clinic_id', '=', clinicId).where('cpr', '=', child.cpr).executeTakeFirst();
  if (found) return found.id;
  const created = await trx
    .insertInto('patients')
    .values({ clinic_id: clinicId, cpr: child.cpr, given_name: child.given, family_name: child.family, email: null, phone: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return created.id;
}
