import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { myLogPage } from '../my-log/my-log.repository.ts';

/**
 * What Patientportal holds about one person, read for their data export. Every query is bound to
 * the login (its id, or its CPR number for the requests it made before it had a login) or to the
 * clinic records the login is linked to by a membership, active or ended: never a row of anyone else.
 */
export interface PersonRef {
  accountId: string;
  cpr: string;
}

/** The clinic records (patients rows) the login is or was linked to. */
const linkedRecords = (db: Kysely<DB>, accountId: string) => db.selectFrom('portal_memberships').select('patient_id').where('account_id', '=', accountId);

export function accountOf(db: Kysely<DB>, accountId: string) {
  return db
    .selectFrom('patient_accounts')
    .select(['cpr', 'email', 'phone', 'created_at', 'activated_at', 'deleted_at'])
    .select((eb) => [eb('password_hash', 'is not', null).as('has_password'), eb('mitid_uuid', 'is not', null).as('has_mitid')])
    .where('id', '=', accountId)
    .executeTakeFirst();
}

export function membershipsOf(db: Kysely<DB>, accountId: string) {
  return db
    .selectFrom('portal_memberships as m')
    .innerJoin('clinics as c', 'c.id', 'm.clinic_id')
    .innerJoin('patients as p', 'p.id', 'm.patient_id')
    .select(['c.name as clinic_name', 'c.offered_functions', 'm.rights', 'm.wants_electronic_reply', 'm.created_at', 'm.ended_at', 'm.end_reason'])
    .select(['p.given_name', 'p.family_name', 'p.cpr', 'p.address', 'p.postal_code', 'p.city', 'p.phone', 'p.email'])
    .where('m.account_id', '=', accountId)
    .orderBy('c.name')
    .orderBy('m.created_at')
    .execute();
}

/** Requests for access at clinics, matched by the CPR number MitID or the form gave. */
export function loginRequestsOf(db: Kysely<DB>, cpr: string) {
  return db
    .selectFrom('login_requests as r')
    .innerJoin('clinics as c', 'c.id', 'r.clinic_id')
    .select(['c.name as clinic_name', 'r.created_at', 'r.status', 'r.reason', 'r.registry_answer', 'r.identity_verified'])
    .select(['r.name', 'r.birth_date', 'r.email', 'r.phone', 'r.handled_at', 'r.rejection_reason', 'r.granted_rights'])
    .where('r.cpr', '=', cpr)
    .orderBy('r.created_at')
    .execute();
}

export function threadsOf(db: Kysely<DB>, accountId: string) {
  return db
    .selectFrom('econsultation_threads as t')
    .innerJoin('clinics as c', 'c.id', 't.clinic_id')
    .select(['t.id', 'c.name as clinic_name', 't.subject', 't.status', 't.created_at', 't.last_message_at'])
    .where('t.patient_id', 'in', linkedRecords(db, accountId))
    .orderBy('t.created_at')
    .execute();
}

export function messagesOf(db: Kysely<DB>, accountId: string) {
  return db
    .selectFrom('econsultation_messages as m')
    .innerJoin('econsultation_threads as t', 't.id', 'm.thread_id')
    .leftJoin('staff_users as s', 's.id', 'm.staff_user_id')
    .select(['m.id', 'm.thread_id', 'm.sender', 's.name as staff_name', 'm.body', 'm.created_at', 'm.read_at'])
    .where('t.patient_id', 'in', linkedRecords(db, accountId))
    .orderBy('m.thread_id')
    .orderBy('m.seq')
    .execute();
}

/** The attachments' names and sizes; their bytes are read one at a time (attachmentData). */
export function attachmentsOf(db: Kysely<DB>, accountId: string) {
  return db
    .selectFrom('econsultation_attachments as a')
    .innerJoin('econsultation_messages as m', 'm.id', 'a.message_id')
    .innerJoin('econsultation_threads as t', 't.id', 'm.thread_id')
    .select(['a.id', 'a.message_id', 'a.filename', 'a.content_type', 'a.size'])
    .where('t.patient_id', 'in', linkedRecords(db, accountId))
    .orderBy('a.id')
    .execute();
}

/** One attachment's bytes (up to 10 MB): one short statement each, however many there are. */
export async function attachmentData(db: Kysely<DB>, attachmentId: string): Promise<Buffer> {
  const row = await db.selectFrom('econsultation_attachments').select('data').where('id', '=', attachmentId).executeTakeFirstOrThrow();
  return row.data;
}

export function appointmentsOf(db: Kysely<DB>, accountId: string) {
  return db
    .selectFrom('appointments as a')
    .innerJoin('booking_slots as s', 's.id', 'a.slot_id')
    .innerJoin('clinics as c', 'c.id', 'a.clinic_id')
    .select(['c.name as clinic_name', 's.starts_at', 's.duration_minutes', 's.practitioner', 's.kind', 'a.booked_at', 'a.cancelled_at'])
    .where('a.patient_id', 'in', linkedRecords(db, accountId))
    .orderBy('s.starts_at')
    .execute();
}

/** The medication list as the patient's page shows it: each item with its latest renewal's state. */
export function medicationsOf(db: Kysely<DB>, accountId: string) {
  return db
    .selectFrom('medications as m')
    .innerJoin('clinics as c', 'c.id', 'm.clinic_id')
    .select(['c.name as clinic_name', 'm.name', 'm.dosage', 'm.habit_forming', 'm.renewable_online', 'm.created_at'])
    .select((eb) => [
      eb
        .selectFrom('renewal_requests as r')
        .select('r.status')
        .whereRef('r.medication_id', '=', 'm.id')
        .orderBy('r.requested_at', 'desc')
        .limit(1)
        .as('last_status'),
      eb
        .selectFrom('renewal_requests as r')
        .select('r.note')
        .whereRef('r.medication_id', '=', 'm.id')
        .orderBy('r.requested_at', 'desc')
        .limit(1)
        .as('last_note'),
    ])
    .where('m.patient_id', 'in', linkedRecords(db, accountId))
    .orderBy('c.name')
    .orderBy('m.name')
    .execute();
}

export function renewalsOf(db: Kysely<DB>, accountId: string) {
  return db
    .selectFrom('renewal_requests as r')
    .innerJoin('medications as m', 'm.id', 'r.medication_id')
    .innerJoin('clinics as c', 'c.id', 'r.clinic_id')
    .select(['c.name as clinic_name', 'm.name as medication', 'm.dosage', 'r.status', 'r.note', 'r.requested_at', 'r.handled_at'])
    .where('r.patient_id', 'in', linkedRecords(db, accountId))
    .orderBy('r.requested_at')
    .execute();
}

/** The whole of Min log, newest first, read in pages as the page does. */
export async function myLogOf(db: Kysely<DB>, person: PersonRef) {
  const pageSize = 500;
  const rows = [];
  let before: number | undefined;
  for (;;) {
    const page = await myLogPage(db, person, before, pageSize);
    rows.push(...page);
    if (page.length < pageSize) return rows;
    before = page.at(-1)?.id;
  }
}
