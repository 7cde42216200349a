import type { Database } from '../../db/database.ts';

/** The login's own requests (by its CPR number) and those it made for a child, newest first (20). */
export function loginRequestsOfAccount(db: Database, accountId: string) {
  return db
    .selectFrom('login_requests as r')
    .innerJoin('clinics as c', 'c.id', 'r.clinic_id')
    .select(['c.name', 'r.created_at', 'r.status', 'r.rejection_reason', 'r.name as for_name', 'r.requested_by_account_id'])
    .where((eb) =>
      eb.or([eb('r.cpr', '=', eb.selectFrom('patient_accounts').select('cpr').where('id', '=', accountId)), eb('r.requested_by_account_id', '=', accountId)]),
    )
    .orderBy('r.created_at', 'desc')
    .limit(20)
    .execute();
}
