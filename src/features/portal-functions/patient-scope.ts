import type { AppContext } from '../../context.ts';
import type { ActedByRelation, PortalFunction } from '../../db/schema.ts';
import { AppError, errors } from '../../errors.ts';
import { ageOn } from '../mitid/claims.ts';
import { parseCpr } from '../patients/cpr.ts';
import { childScope } from '../child-access/child-access.ts';
import { fuldmagtScope } from '../fuldmagt/fuldmagt-scope.ts';
import type { PatientSession } from '../patient-auth/patient-sessions.ts';

/** A logged-in patient at one clinic, or the person they act for there: read from the database on every request. */
export interface PatientScope {
  /** Who acts: the logged-in login (the parent, when acting for a child). */
  accountId: string;
  clinicId: string;
  patientId: string;
  rights: PortalFunction[];
  wantsElectronicReply: boolean;
  clinicName: string;
  econsultationMaxLength: number;
  bookingMinHoursAhead: number;
  bookingMaxDaysAhead: number;
  under15: boolean;
  /** Set when the login acts for someone else: stored on what they do and shown to the clinic. */
  actingFor: { relation: ActedByRelation; actorName: string; forName: string } | null;
}

/**
 * The patient's active membership at the clinic, or, when the session acts for a child, the child's
 * access there (every condition checked again, see childScope), or, under a fuldmagt, the giver's
 * membership within what the fuldmagt grants (see fuldmagtScope). `fn` is the function the route
 * belongs to: a fuldmagt covers only the functions it names, reading included. An ended membership
 * hides the clinic (404); a right counts only while the clinic still offers the function.
 */
export async function patientScope(ctx: AppContext, session: PatientSession, clinicId: string, fn?: PortalFunction): Promise<PatientScope> {
  if (session.actingForFuldmagtId) return fuldmagtScope(ctx, session, session.actingForFuldmagtId, clinicId, fn);
  if (session.actingForCpr) return childScope(ctx, session, session.actingForCpr, clinicId);
  const accountId = session.accountId;
  const row = await ctx.db
    .selectFrom('portal_memberships as m')
    .innerJoin('clinics as c', 'c.id', 'm.clinic_id')
    .innerJoin('patients as p', 'p.id', 'm.patient_id')
    .select([
      'm.patient_id',
      'm.rights',
      'm.wants_electronic_reply',
      'c.name',
      'c.offered_functions',
      'c.econsultation_max_length',
      'c.booking_min_hours_ahead',
      'c.booking_max_days_ahead',
      'p.cpr',
    ])
    .where('m.account_id', '=', accountId)
    .where('m.clinic_id', '=', clinicId)
    .where('m.ended_at', 'is', null)
    .executeTakeFirst();
  if (!row) throw errors.notFound();
  const birth = parseCpr(row.cpr)?.birthDate.toISOString().slice(0, 10);
  return {
    accountId,
    clinicId,
    patientId: row.patient_id,
    rights: row.rights.filter((r) => row.offered_functions.includes(r)),
    wantsElectronicReply: row.wants_electronic_reply,
    clinicName: row.name,
    econsultationMaxLength: row.econsultation_max_length,
    bookingMinHoursAhead: row.booking_min_hours_ahead,
    bookingMaxDaysAhead: row.booking_max_days_ahead,
    under15: birth ? ageOn(birth, ctx.clock.now()) < 15 : false,
    actingFor: null,
  };
}

/** The columns that record who acted when someone acts for the patient (all null otherwise). */
export function actedBy(scope: PatientScope) {
  return scope.actingFor
    ? { acted_by_account_id: scope.accountId, acted_by_name: scope.actingFor.actorName, acted_by_relation: scope.actingFor.relation }
    : { acted_by_account_id: null, acted_by_name: null, acted_by_relation: null };
}

/** What an audit row of an action done for someone else adds to its details: both persons. */
export const auditActing = (scope: PatientScope) =>
  scope.actingFor
    ? { actingFor: { relation: scope.actingFor.relation, actorAccountId: scope.accountId, actorName: scope.actingFor.actorName, patientId: scope.patientId } }
    : {};

/** "Mette Hansen (mor)": who acted for the patient, as the clinic and the patient see it; null when the patient acted. */
export const actedByLabel = (row: { acted_by_name: string | null; acted_by_relation: string | null }) =>
  row.acted_by_name && row.acted_by_relation ? `${row.acted_by_name} (${row.acted_by_relation})` : null;

/** The schema of that label in responses. */
export const ActedByDescription = 'Who acted for the patient, e.g. "Mette Hansen (mor)"; null when the patient did';

const FUNCTION_NAMES: Record<PortalFunction, { da: string; en: string }> = {
  econsultation: { da: 'E-konsultation', en: 'e-consultation' },
  booking: { da: 'E-tidsbestilling', en: 'online booking' },
  renewal: { da: 'E-receptfornyelse', en: 'prescription renewal' },
};

/** The server's refusal when a right is missing: the UI hiding a button is not the check. */
export function requireRight(scope: PatientScope, right: PortalFunction): void {
  if (scope.rights.includes(right)) return;
  const name = FUNCTION_NAMES[right];
  throw new AppError(403, 'right_missing', {
    da: `Klinikken har ikke givet dig adgang til ${name.da}. Du kan stadig se din historik.`,
    en: `The clinic has not given you access to ${name.en}. You can still see your history.`,
  });
}
