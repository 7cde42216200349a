import { sql, type RawBuilder } from 'kysely';

export const EVENT_TYPES = [
  'login_request.created',
  'login_request.handled',
  'portal_access.changed',
  'econsultation.message_created',
  'appointment.booked',
  'appointment.cancelled',
  'renewal.requested',
  'patient_account.deleted',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * Which audited changes a clinic system hears of. Every change already writes its audit row in
 * its own transaction, so deriving the event there puts it in that same transaction (the outbox
 * pattern) for every path that makes the change, without each feature remembering to emit it.
 */
const EVENT_OF_ACTION: Record<string, EventType> = {
  'registration.queued': 'login_request.created',
  'child_access.requested': 'login_request.created',
  'portal.request_approved': 'login_request.handled',
  'login_request.rejected': 'login_request.handled',
  'registration.auto_approved': 'portal_access.changed',
  'portal.created': 'portal_access.changed',
  'portal.linked': 'portal_access.changed',
  'portal.activated': 'portal_access.changed',
  'portal.rights_changed': 'portal_access.changed',
  'portal.deleted': 'portal_access.changed',
  'econsultation.started': 'econsultation.message_created',
  'econsultation.patient_replied': 'econsultation.message_created',
  'econsultation.answered': 'econsultation.message_created',
  'booking.booked': 'appointment.booked',
  'booking.cancelled': 'appointment.cancelled',
  'renewal.requested': 'renewal.requested',
  'portal.login_deleted': 'patient_account.deleted',
};

/** Events are thin: ids only (keys ending in Id with a string value), never names, CPR numbers or text. */
function idsOf(patientId: string | null | undefined, details: Record<string, unknown> | undefined): Record<string, string> {
  const ids: Record<string, string> = {};
  if (patientId) ids.patientId = patientId;
  for (const [key, value] of Object.entries(details ?? {})) {
    if (/^[a-z][A-Za-z]*Id$/.test(key) && typeof value === 'string') ids[key] = value;
  }
  return ids;
}

export interface AuditedChange {
  action: string;
  clinicId?: string | null;
  patientId?: string | null;
  details?: Record<string, unknown>;
}

/** The insert of an audited change's event, not yet run, or undefined if clinic systems do not hear of it. */
export function eventInsertFor(at: Date, change: AuditedChange) {
  const type = EVENT_OF_ACTION[change.action];
  if (!type || !change.clinicId) return undefined;
  // SQL rather than the query builder: written with most changes (docs/ARCHITECTURE.md, "Hot statements").
  return sql`insert into events (clinic_id, type, occurred_at, data) values (${change.clinicId}, ${type}, ${at}, ${JSON.stringify(idsOf(change.patientId, change.details))})`;
}

/**
 * The same insert for a statement whose earlier step (`from`, a CTE) gives the change's clinic and
 * patient: one event for each row that step gives (see mailInsertFrom).
 */
export function eventInsertFrom(from: RawBuilder<unknown>, at: Date, change: Omit<AuditedChange, 'clinicId' | 'patientId'> & StepIds) {
  const type = EVENT_OF_ACTION[change.action];
  if (!type) return undefined;
  // The patient's id joins the other ids of the details, left out when null, as idsOf does.
  const data = sql`jsonb_strip_nulls(jsonb_build_object('patientId', ${change.patientId})) || ${JSON.stringify(idsOf(null, change.details))}::jsonb`;
  return sql`insert into events (clinic_id, type, occurred_at, data) select ${change.clinicId}, ${type}, ${at}, ${data} from ${from}`;
}

/** A change's clinic and patient as columns of a statement's earlier step. */
export interface StepIds {
  clinicId: RawBuilder<string>;
  patientId: RawBuilder<string>;
}
