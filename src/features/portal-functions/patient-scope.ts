import type { AppContext } from '../../context.ts';
import type { PortalFunction } from '../../db/schema.ts';
import { AppError, errors } from '../../errors.ts';
import { ageOn } from '../mitid/claims.ts';
import { parseCpr } from '../patients/cpr.ts';

/** A logged-in patient at one clinic: read from the database on every request. */
export interface PatientScope {
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
}

/**
 * The patient's active membership at the clinic. An ended membership hides the clinic (404);
 * a right counts only while the clinic still offers the function.
 */
export async function patientScope(ctx: AppContext, accountId: string, clinicId: string): Promise<PatientScope> {
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
  };
}

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
