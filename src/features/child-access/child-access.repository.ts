import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { DB, PortalFunction } from '../../db/schema.ts';

/** A clinic's setting, with null meaning the specialty's default (on for almen praksis). */
export const parentsMayActSql = sql<boolean>`coalesce(c.parents_may_act_for_children, c.specialty = 'almen_praksis')`;

/** The child's live access at one clinic, found by the child's CPR: what every request for a child reads. */
export function childAccessAt(db: Database, childCpr: string, clinicId: string) {
  return db
    .selectFrom('child_access as x')
    .innerJoin('patients as p', 'p.id', 'x.patient_id')
    .innerJoin('clinics as c', 'c.id', 'x.clinic_id')
    .select([
      'x.id',
      'x.patient_id',
      'x.rights',
      'x.wants_electronic_reply',
      'x.holder_cprs',
      'p.cpr',
      'p.given_name',
      'p.family_name',
      'c.name as clinic_name',
      'c.offered_functions',
      'c.econsultation_max_length',
      'c.booking_min_hours_ahead',
      'c.booking_max_days_ahead',
      parentsMayActSql.as('parents_may_act'),
    ])
    .where('p.cpr', '=', childCpr)
    .where('x.clinic_id', '=', clinicId)
    .where('x.ended_at', 'is', null)
    .executeTakeFirst();
}

/** Every live access of children the custody source last named this person as holder of. */
export function childAccessByHolder(db: Database, holderCpr: string) {
  return db
    .selectFrom('child_access as x')
    .innerJoin('patients as p', 'p.id', 'x.patient_id')
    .innerJoin('clinics as c', 'c.id', 'x.clinic_id')
    .select([
      'x.id',
      'x.clinic_id',
      'x.patient_id',
      'x.rights',
      'x.wants_electronic_reply',
      'p.cpr',
      'p.given_name',
      'p.family_name',
      'c.name as clinic_name',
      'c.offered_functions',
      parentsMayActSql.as('parents_may_act'),
    ])
    .where(sql<boolean>`x.holder_cprs @> array[${holderCpr}]::text[]`)
    .where('x.ended_at', 'is', null)
    .orderBy('p.given_name')
    .orderBy('c.name')
    .execute();
}

/** The child's CPR behind one access row a parent names when switching. */
export function childCprOfAccess(db: Database, accessId: string) {
  return db
    .selectFrom('child_access as x')
    .innerJoin('patients as p', 'p.id', 'x.patient_id')
    .select(['p.cpr'])
    .where('x.id', '=', accessId)
    .where('x.ended_at', 'is', null)
    .executeTakeFirst();
}

/** Keeps the holder index (only used to find a parent's children) in step with the last answer. */
export async function rememberHolders(db: Database, childCpr: string, holders: string[]) {
  await db
    .updateTable('child_access')
    .set({ holder_cprs: holders })
    .where('ended_at', 'is', null)
    .where('patient_id', 'in', (q) => q.selectFrom('patients').select('id').where('cpr', '=', childCpr))
    .where(sql<boolean>`holder_cprs is distinct from ${holders}::text[]`)
    .execute();
}

export function accountCpr(db: Database, accountId: string) {
  return db.selectFrom('patient_accounts').select('cpr').where('id', '=', accountId).where('deleted_at', 'is', null).executeTakeFirst();
}

export function setActingFor(db: Kysely<DB>, sessionId: string, childCpr: string | null) {
  return db.updateTable('patient_sessions').set({ acting_for_cpr: childCpr, acting_for_fuldmagt_id: null }).where('id', '=', sessionId).execute();
}

/** The Patientportal form's view of the child's access at the clinic. */
export function liveChildAccess(db: Kysely<DB>, clinicId: string, patientId: string) {
  return db
    .selectFrom('child_access')
    .select(['id', 'rights', 'wants_electronic_reply', 'holder_cprs', 'created_at', 'requested_by_account_id'])
    .where('clinic_id', '=', clinicId)
    .where('patient_id', '=', patientId)
    .where('ended_at', 'is', null)
    .executeTakeFirst();
}

export function insertChildAccess(
  trx: Kysely<DB>,
  values: {
    clinicId: string;
    patientId: string;
    rights: PortalFunction[];
    wantsElectronicReply: boolean;
    holders: string[];
    createdBy: string | null;
    now: Date;
  },
) {
  return trx
    .insertInto('child_access')
    .values({
      clinic_id: values.clinicId,
      patient_id: values.patientId,
      rights: values.rights,
      wants_electronic_reply: values.wantsElectronicReply,
      holder_cprs: values.holders,
      created_by: values.createdBy,
      created_at: values.now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

export function updateChildAccess(trx: Kysely<DB>, id: string, values: { rights: PortalFunction[]; wantsElectronicReply: boolean; holders: string[] }) {
  return trx
    .updateTable('child_access')
    .set({ rights: values.rights, wants_electronic_reply: values.wantsElectronicReply, holder_cprs: values.holders })
    .where('id', '=', id)
    .execute();
}

export function endChildAccess(trx: Kysely<DB>, clinicId: string, patientId: string, now: Date) {
  return trx
    .updateTable('child_access')
    .set({ ended_at: now })
    .where('clinic_id', '=', clinicId)
    .where('patient_id', '=', patientId)
    .where('ended_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
}
