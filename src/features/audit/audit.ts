import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { ActorType, DB } from '../../db/schema.ts';
import { errors } from '../../errors.ts';
import { writeAsOneStatement } from '../../db/one-statement.ts';
import { eventInsertFor, eventInsertFrom, type StepIds } from '../events/events.ts';

export interface Actor {
  type: ActorType;
  id: string | null;
  ip: string | null;
}

export interface AuditEntry {
  action: string;
  clinicId?: string | null;
  patientId?: string | null;
  /** Never CPR numbers, passwords, tokens or message contents. */
  details?: Record<string, unknown>;
}

/** Writes one audit row, and the clinic systems' event of the change if it has one. Call it with the transaction of the change it records. */
export async function audit(trx: Kysely<DB>, actor: Actor, at: Date, entry: AuditEntry): Promise<void> {
  await writeAsOneStatement(trx, auditInserts(actor, at, entry));
}

const AUDIT_COLUMNS = sql`audit_events (occurred_at, actor_type, actor_id, clinic_id, patient_id, action, ip, details)`;

/**
 * audit()'s inserts, not yet run: the audit row, then the event if the change has one. For a path
 * that writes its change, audit row, event and mail as one statement (db/one-statement.ts).
 */
export function auditInserts(actor: Actor, at: Date, entry: AuditEntry) {
  // SQL rather than the query builder: most changes write one (docs/ARCHITECTURE.md, "Hot statements").
  const auditInsert = sql`insert into ${AUDIT_COLUMNS}
    values (${at}, ${actor.type}, ${actor.id}, ${entry.clinicId ?? null}, ${entry.patientId ?? null}, ${entry.action}, ${actor.ip}, ${JSON.stringify(entry.details ?? {})})`;
  return [auditInsert, eventInsertFor(at, entry)];
}

/**
 * auditInserts() for a statement whose earlier step (`from`, a CTE) gives the change's clinic and
 * patient: an audit row and event for each row that step gives, none when it gives none.
 */
export function auditInsertsFrom(from: RawBuilder<unknown>, actor: Actor, at: Date, entry: Omit<AuditEntry, 'clinicId' | 'patientId'> & StepIds) {
  const auditInsert = sql`insert into ${AUDIT_COLUMNS}
    select ${at}, ${actor.type}, ${actor.id}, ${entry.clinicId}, ${entry.patientId}, ${entry.action}, ${actor.ip}, ${JSON.stringify(entry.details ?? {})}::jsonb
    from ${from}`;
  return [auditInsert, eventInsertFrom(from, at, entry)];
}

/**
 * A staff (or clinic system) read of one patient's data: writes its audit row only if the patient
 * is the clinic's, in one statement, and answers 404 otherwise, so the clinic check and the audit
 * row cannot drift apart. Call it before reading the data.
 */
export async function auditPatientRead(db: Kysely<DB>, actor: Actor, at: Date, entry: AuditEntry & { clinicId: string; patientId: string }): Promise<void> {
  const written = await sql`
    insert into ${AUDIT_COLUMNS}
    select ${at}, ${actor.type}, ${actor.id}, clinic_id, id, ${entry.action}, ${actor.ip}, ${JSON.stringify(entry.details ?? {})}::jsonb
    from patients where id = ${entry.patientId} and clinic_id = ${entry.clinicId}
    returning id`.execute(db);
  if (written.rows.length === 0) throw errors.notFound();
}
/** The staff user behind an actor, for columns that reference staff_users (an integration is none). */
export const staffUserIdOf = (actor: Actor): string | null => (actor.type === 'staff' || actor.type === 'support' ? actor.id : null);
