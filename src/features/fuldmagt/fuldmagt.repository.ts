import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { DB, FuldmagtStatus, PortalFunction } from '../../db/schema.ts';

/** The columns a fuldmagt is shown and checked with (never the receiver's CPR number unless asked for). */
const FIELDS = [
  'f.id',
  'f.giver_account_id',
  'f.giver_name',
  'f.receiver_name',
  'f.receiver_account_id',
  'f.clinic_ids',
  'f.functions',
  'f.valid_until',
  'f.status',
  'f.created_at',
  'f.accepted_at',
] as const;

/** The giver's live memberships: the clinics a fuldmagt may name. */
export function giverClinics(db: Database, accountId: string) {
  return db
    .selectFrom('portal_memberships as m')
    .innerJoin('clinics as c', 'c.id', 'm.clinic_id')
    .select(['c.id', 'c.name'])
    .where('m.account_id', '=', accountId)
    .where('m.ended_at', 'is', null)
    .orderBy('c.name')
    .execute();
}

export function clinicNames(db: Database, clinicIds: string[]) {
  if (clinicIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('clinics').select(['id', 'name', 'offered_functions']).where('id', 'in', clinicIds).orderBy('name').execute();
}

export function accountOf(db: Kysely<DB>, accountId: string) {
  return db.selectFrom('patient_accounts').select(['id', 'cpr', 'email']).where('id', '=', accountId).where('deleted_at', 'is', null).executeTakeFirst();
}

export function accountByCpr(db: Kysely<DB>, cpr: string) {
  return db.selectFrom('patient_accounts').select(['id', 'email']).where('cpr', '=', cpr).where('deleted_at', 'is', null).executeTakeFirst();
}

export function insertDraft(
  trx: Kysely<DB>,
  values: {
    giverAccountId: string;
    giverName: string;
    receiverCpr: string;
    receiverName: string;
    clinicIds: string[];
    functions: PortalFunction[];
    validUntil: string;
    now: Date;
  },
) {
  return trx
    .insertInto('fuldmagter')
    .values({
      giver_account_id: values.giverAccountId,
      giver_name: values.giverName,
      receiver_cpr: values.receiverCpr,
      receiver_name: values.receiverName,
      clinic_ids: values.clinicIds,
      functions: values.functions,
      valid_until: values.validUntil,
      status: 'draft',
      created_at: values.now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

/**
 * Moves a fuldmagt from one of `from` to `to` in one statement, so two clicks (or a revocation
 * racing an acceptance) have one winner; undefined when it was not in such a state.
 */
export function transition(
  trx: Kysely<DB>,
  where: { id: string; giverAccountId?: string; receiverCpr?: string },
  from: FuldmagtStatus[],
  set: {
    status: FuldmagtStatus;
    offered_at?: Date;
    accepted_at?: Date;
    ended_at?: Date;
    receiver_account_id?: string;
  },
) {
  let query = trx.updateTable('fuldmagter').set(set).where('id', '=', where.id).where('status', 'in', from);
  if (where.giverAccountId) query = query.where('giver_account_id', '=', where.giverAccountId);
  if (where.receiverCpr) query = query.where('receiver_cpr', '=', where.receiverCpr);
  return query
    .returning(['id', 'giver_account_id', 'giver_name', 'receiver_cpr', 'receiver_name', 'clinic_ids', 'functions', 'valid_until'])
    .executeTakeFirst();
}

/** Every fuldmagt a person has given, newest first. */
export function givenBy(db: Database, giverAccountId: string) {
  return db
    .selectFrom('fuldmagter as f')
    .select([...FIELDS, 'f.receiver_cpr'])
    .where('f.giver_account_id', '=', giverAccountId)
    .orderBy('f.created_at', 'desc')
    .execute();
}

/** Offers and accepted fuldmagter for the person with this CPR number that have not run out by `today`. */
export function receivedBy(db: Database, receiverCpr: string, today: string) {
  return db
    .selectFrom('fuldmagter as f')
    .select(FIELDS)
    .where('f.receiver_cpr', '=', receiverCpr)
    .where('f.status', 'in', ['offered', 'accepted'])
    .where('f.valid_until', '>=', today)
    .orderBy('f.created_at', 'desc')
    .execute();
}

/**
 * What every request under a fuldmagt reads: the fuldmagt (only the receiver's own), the clinic,
 * and the giver's live membership and record there (absent when it ended).
 */
export function fuldmagtAt(db: Database, fuldmagtId: string, receiverAccountId: string, clinicId: string) {
  return db
    .selectFrom('fuldmagter as f')
    .leftJoin('clinics as c', (join) => join.on('c.id', '=', clinicId))
    .leftJoin('portal_memberships as m', (join) =>
      join.onRef('m.account_id', '=', 'f.giver_account_id').on('m.clinic_id', '=', clinicId).on('m.ended_at', 'is', null),
    )
    .leftJoin('patient_accounts as a', (join) => join.onRef('a.id', '=', 'f.giver_account_id').on('a.deleted_at', 'is', null))
    .leftJoin('patients as p', 'p.id', 'm.patient_id')
    .select([
      'f.giver_name',
      'f.clinic_ids',
      'f.functions',
      'f.valid_until',
      'f.status',
      'c.name as clinic_name',
      'c.offered_functions',
      'c.econsultation_max_length',
      'c.booking_min_hours_ahead',
      'c.booking_max_days_ahead',
      'c.accepts_power_of_attorney',
      'm.patient_id',
      'm.rights',
      'm.wants_electronic_reply',
      'a.id as giver_live_account',
      'p.given_name',
      'p.family_name',
    ])
    .where('f.id', '=', fuldmagtId)
    .where('f.receiver_account_id', '=', receiverAccountId)
    .executeTakeFirst();
}

/** The giver's record at each clinic of a fuldmagt (where the membership is live): whose audit rows. */
export function giverRecords(db: Kysely<DB>, giverAccountId: string, clinicIds: string[]) {
  return db
    .selectFrom('portal_memberships')
    .select(['clinic_id', 'patient_id'])
    .where('account_id', '=', giverAccountId)
    .where('clinic_id', 'in', clinicIds)
    .where('ended_at', 'is', null)
    .execute();
}

export function setActingForFuldmagt(db: Kysely<DB>, sessionId: string, fuldmagtId: string | null) {
  return db.updateTable('patient_sessions').set({ acting_for_fuldmagt_id: fuldmagtId, acting_for_cpr: null }).where('id', '=', sessionId).execute();
}

/** The clinic's view: fuldmagter this patient has given that cover the clinic and are offered or in force. */
export function fuldmagterOfPatient(db: Database, clinicId: string, patientId: string, today: string) {
  return db
    .selectFrom('fuldmagter as f')
    .innerJoin('portal_memberships as m', 'm.account_id', 'f.giver_account_id')
    .select(['f.id', 'f.receiver_name', 'f.functions', 'f.valid_until', 'f.status', 'f.accepted_at'])
    .where('m.clinic_id', '=', clinicId)
    .where('m.patient_id', '=', patientId)
    .where('m.ended_at', 'is', null)
    .where(sql<boolean>`${clinicId}::uuid = any(f.clinic_ids)`)
    .where('f.status', 'in', ['offered', 'accepted'])
    .where('f.valid_until', '>=', today)
    .orderBy('f.created_at')
    .execute();
}
