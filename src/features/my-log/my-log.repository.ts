import { sql } from 'kysely';
import type { Database } from '../../db/database.ts';

/** The patient's own security events that Min log shows. */
export const OWN_SECURITY_ACTIONS = [
  'patient.login',
  'patient.login_mitid',
  'patient.login_failed',
  'patient.login_stopped',
  'patient.password_reset',
  'patient.password_reset_requested',
  'patient.email_changed',
  'patient.email_change_requested',
  'patient.phone_changed',
  'portal.activated',
  // Someone using this login to act for a child is the login's own business to see.
  'child_access.switched',
  'patient.data_exported',
] as const;

export interface MyLogRow {
  id: number;
  occurred_at: Date;
  action: string;
  actor_type: string;
  actor_id: string | null;
  details: Record<string, unknown>;
  clinic_name: string | null;
  actor_name: string | null;
  actor_role: string | null;
  thread_subject: string | null;
}

/**
 * One page of a person's log, newest first (keyset on the audit id): every read and change of
 * their data by anyone but themselves, at every clinic that holds a record with their CPR number,
 * and their own security events. Nothing about other people, nor the clinic's own administration.
 */
export async function myLogPage(db: Database, person: { accountId: string; cpr: string }, before: number | undefined, limit: number): Promise<MyLogRow[]> {
  const result = await sql<MyLogRow>`
    with mine as (
      select a.* from audit_events a
      where a.patient_id in (select id from patients where cpr = ${person.cpr})
        -- others' reads and changes, and what someone acting for the person did (a fuldmagt receiver)
        and (a.actor_type not in ('patient', 'system') or (a.actor_type = 'patient' and a.details ? 'actingFor' and a.actor_id <> ${person.accountId}))
        and (${before ?? null}::bigint is null or a.id < ${before ?? null}::bigint)
      union all
      select a.* from audit_events a
      where a.actor_type = 'patient' and a.actor_id = ${person.accountId}
        and a.action = any(${sql.val([...OWN_SECURITY_ACTIONS])}::text[])
        and (${before ?? null}::bigint is null or a.id < ${before ?? null}::bigint)
      order by id desc
      limit ${limit}
    )
    select m.id, m.occurred_at, m.action, m.actor_type, m.actor_id, m.details,
           c.name as clinic_name,
           coalesce(s.name, i.name) as actor_name,
           sm.role as actor_role,
           t.subject as thread_subject
    from mine m
    left join clinics c on c.id = m.clinic_id
    left join staff_users s on s.id = m.actor_id and m.actor_type in ('staff', 'support')
    left join integrations i on i.id = m.actor_id and m.actor_type = 'integration'
    left join staff_memberships sm on sm.user_id = m.actor_id and sm.clinic_id = m.clinic_id and m.actor_type = 'staff'
    left join econsultation_threads t on t.id = (m.details->>'threadId')::uuid and t.clinic_id = m.clinic_id
    order by m.id desc`.execute(db);
  return result.rows;
}

/** The CPR number of a login that is not deleted: whose rows Min log shows. */
export function personOfLogin(db: Database, accountId: string) {
  return db.selectFrom('patient_accounts').select('cpr').where('id', '=', accountId).where('deleted_at', 'is', null).executeTakeFirst();
}
