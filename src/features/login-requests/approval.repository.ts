import { sql, type Selectable, type Transaction } from 'kysely';
import { prepared, type Database } from '../../db/database.ts';
import type { ClinicsTable, DB, LoginRequestsTable, PortalFunction } from '../../db/schema.ts';
import { auditInsertsFrom, staffUserIdOf, type Actor } from '../audit/audit.ts';
import { mailInsertFrom } from '../mail/outbox.ts';
import { loginInsertFrom, recordAndLoginSteps, recordInsertFrom, type LoginFacts } from '../portal-access/accounts.ts';

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

export interface AtOnceApproval {
  requestId: string;
  /** The handler's clinics with their names: the request must be at one of them, and its mail names it. */
  clinics: { id: string; name: string }[];
  /** The ticked rights, in PORTAL_FUNCTIONS' order; all must be offered by the clinic. */
  rights: PortalFunction[];
  actor: Actor;
  /** Where the approval mail's link points: the portal's login page. */
  loginLink: string;
  now: Date;
}

/**
 * Opret from the queue in one statement, with no transaction around it, for the common case:
 * an open request of a person MitID has identified (so the login is usable at once), who has no
 * login yet and whose address no login holds, with rights the clinic offers. The statement then
 * writes everything approveRequest's transaction would: the patient record (unless the clinic
 * has the person), the login, the membership, the request approved, the mail, the audit row and
 * the event. In any other case (a handled, missing or parent's request, a login to keep or revive,
 * an address taken, a right not offered) its `approved` step gives no row and it writes nothing
 * (its mail insert adds no row, which wakes no mail worker: migration 0071), and the caller takes
 * the transaction, which answers each of those.
 *
 * Every write selects from `approved`, so they happen together or not at all: one statement is
 * atomic without a transaction. The request's row lock (lockedRequest) makes a second approval of
 * it wait and then see it handled. Should another transaction create the clinic's record of the
 * person meanwhile, the record insert does nothing and the statement's snapshot does not see that
 * record: the membership's patient_id is then null, which its NOT NULL refuses, the whole statement
 * with it (isRecordCreatedMeanwhile), and the caller takes the transaction.
 *
 * Why not always the transaction: BEGIN, two statements and COMMIT are four round trips where this
 * is one, and the commit's flush to disk happens once either way (docs/ARCHITECTURE.md, "Hot paths
 * write in one statement"). Returns the patient record's id, or undefined when the
 * statement wrote nothing.
 */
export async function approveNewLoginAtOnce(db: Database, input: AtOnceApproval): Promise<string | undefined> {
  const { clinics, rights, actor, now } = input;
  // As PostgreSQL writes a uuid, so the audit row and the event name the request as the
  // transaction's (which take the id from the row) do, whatever case the URL had.
  const requestId = input.requestId.toLowerCase();
  const clinicIds = clinics.map((c) => c.id);
  const outcome = sql`outcome`;
  // One mail insert per clinic of the handler, each rendered with that clinic's name; only the
  // request's clinic's selects a row.
  const mails = clinics.map((clinic) =>
    mailInsertFrom(
      sql`outcome where clinic_id = ${clinic.id}`,
      {
        template: 'loginRequestApproved',
        params: { clinicName: clinic.name, link: input.loginLink },
        to: sql<string>`email`,
        clinicId: sql<string>`clinic_id`,
      },
      now,
    ),
  );
  const [auditRow, event] = auditInsertsFrom(outcome, actor, now, {
    action: 'portal.request_approved',
    clinicId: sql<string>`clinic_id`,
    patientId: sql<string>`patient_id`,
    details: { requestId, rights, identityVerified: 'mitid' },
  });
  const writes = [...mails, auditRow, event].filter((write) => write !== undefined);
  const { rows } = await prepared(sql<{ patient_id: string | null }>`
    with request as (${lockedRequest(requestId, clinicIds)}),
    approved as (
      select r.id, r.clinic_id, r.cpr, r.name, r.email, r.phone, r.mitid_uuid,
        (select p.id from patients p where p.clinic_id = r.clinic_id and p.cpr = r.cpr) as record_id
      from request r
      where r.status = 'open' and r.reason <> 'parent_request' and r.identity_verified = 'mitid' and r.mitid_uuid is not null
        and ${rights}::text[] <@ r.offered_functions
        and not exists (select 1 from patient_accounts a where a.cpr = r.cpr)
        and not exists (select 1 from patient_accounts h where lower(h.email) = lower(r.email))
    ),
    created_record as (${recordInsertFrom(sql`approved where record_id is null`)}),
    created_login as (${loginInsertFrom(sql`approved`, now)}),
    outcome as (select a.*, coalesce((select id from created_record), a.record_id) as patient_id from approved a),
    membership as (
      insert into portal_memberships (account_id, clinic_id, patient_id, rights, created_at)
      select l.id, o.clinic_id, o.patient_id, ${rights}, ${now} from created_login l cross join outcome o
    ),
    handled as (
      update login_requests set status = 'approved', handled_at = ${now}, handled_by = ${staffUserIdOf(actor)}, granted_rights = ${rights},
        patient_id = o.patient_id
      from outcome o where login_requests.id = o.id
    ),
    ${sql.join(writes.map((write, i) => sql`${sql.raw(`w${String(i)}`)} as (${write})`))}
    select (select patient_id from outcome) as patient_id`).execute(db);
  return rows[0]?.patient_id ?? undefined;
}

/** Whether approveNewLoginAtOnce failed because another transaction created the patient record meanwhile. */
export function isRecordCreatedMeanwhile(error: unknown): boolean {
  const { code, table, column } = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  return code === '23502' && table === 'portal_memberships' && column === 'patient_id';
}
