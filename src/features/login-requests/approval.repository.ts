import { sql, type Selectable, type Transaction } from 'kysely';
import { prepared } from '../../db/database.ts';
import type { ClinicsTable, DB, LoginRequestsTable } from '../../db/schema.ts';
import { recordAndLoginSteps, type LoginFacts } from '../portal-access/accounts.ts';

/** The request's columns an approval or a rejection reads, with its clinic's. */
export type LockedRequest = Pick<
  Selectable<LoginRequestsTable>,
  | 'id'
  | 'clinic_id'
  | 'cpr'
  | 'name'
  | 'birth_date'
  | 'email'
  | 'phone'
  | 'identity_verified'
  | 'mitid_uuid'
  | 'status'
  | 'handled_at'
  | 'handled_by'
  | 'reason'
  | 'requested_by_account_id'
> & { clinic_name: string; offered_functions: Selectable<ClinicsTable>['offered_functions'] };

/**
 * The request, locked, scoped to the caller's clinics (another clinic's request is not found, like
 * a missing one). SQL of its own, so an approval can build the rest of its first statement on it.
 */
const lockedRequest = (requestId: string, clinicIds: string[]) => sql<LockedRequest>`
  select r.id, r.clinic_id, r.cpr, r.name, r.birth_date, r.email, r.phone, r.identity_verified, r.mitid_uuid, r.status,
    r.handled_at, r.handled_by, r.reason, r.requested_by_account_id, c.name as clinic_name, c.offered_functions
  from login_requests r join clinics c on c.id = r.clinic_id
  where r.id = ${requestId} and r.clinic_id = any(${clinicIds}::uuid[])
  for update of r`;

/** The request, locked (a rejection's first statement); undefined when the caller may not see it. */
export async function lockRequest(trx: Transaction<DB>, requestId: string, clinicIds: string[]): Promise<LockedRequest | undefined> {
  return (await lockedRequest(requestId, clinicIds).execute(trx)).rows[0];
}

/**
 * The first statement of an approval: the request locked, and for an open request of a person
 * whose identity is settled, the clinic's patient record and the person's login found or created
 * (recordAndLoginSteps). A request that is handled, a parent's, or waits for the identity check
 * writes nothing here: its facts are all null. Undefined when the caller may not see the request.
 */
export async function lockRequestWithRecordAndLogin(
  trx: Transaction<DB>,
  requestId: string,
  clinicIds: string[],
  identityChecked: boolean,
  now: Date,
): Promise<(LockedRequest & LoginFacts) | undefined> {
  // Prepared: PostgreSQL plans this many-step statement for longer than it runs it.
  const { rows } = await prepared(sql<LockedRequest & LoginFacts>`
    with request as (${lockedRequest(requestId, clinicIds)}),
    person as (
      select clinic_id, cpr, name, email, phone, case when identity_verified = 'mitid' then mitid_uuid end as mitid_uuid
      from request
      where status = 'open' and reason <> 'parent_request' and (identity_verified = 'mitid' or ${identityChecked})
    ), ${recordAndLoginSteps(now)}
    select request.*, facts.* from request cross join facts`).execute(trx);
  return rows[0];
}

/** The name of the staff member who handled a request, for the 409 that names them. */
export async function staffNameOf(trx: Transaction<DB>, staffUserId: string): Promise<string | undefined> {
  return (await trx.selectFrom('staff_users').select('name').where('id', '=', staffUserId).executeTakeFirst())?.name;
}
