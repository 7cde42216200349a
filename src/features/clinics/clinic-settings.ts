import type { Database } from '../../db/database.ts';
import type { PortalFunction, SelfRegistration, Specialty } from '../../db/schema.ts';
import { AppError, errors } from '../../errors.ts';
import { audit, type Actor } from '../audit/audit.ts';
import { PORTAL_FUNCTIONS } from '../portal-access/rights.ts';

export interface ClinicSettings {
  specialty: Specialty;
  ydernummer: string | null;
  usesMitid: boolean;
  selfRegistration: SelfRegistration;
  offeredFunctions: PortalFunction[];
  econsultationMaxLength: number;
  /** E-tidsbestilling: how soon (hours) and how far ahead (days) patients may book. */
  bookingMinHoursAhead: number;
  bookingMaxDaysAhead: number;
  /** "Forældre kan handle for børn under 15"; absent: unchanged. */
  parentsMayActForChildren?: boolean;
  /** "Modtager fuldmagter"; absent: unchanged. */
  acceptsPowerOfAttorney?: boolean;
}

export async function getClinicSettings(db: Database, clinicId: string) {
  const c = await db.selectFrom('clinics').selectAll().where('id', '=', clinicId).executeTakeFirst();
  if (!c) throw errors.notFound();
  return {
    name: c.name,
    slug: c.slug,
    specialty: c.specialty,
    ydernummer: c.ydernummer,
    usesMitid: c.uses_mitid,
    selfRegistration: c.self_registration,
    autoApprovalAllowed: c.auto_approval_allowed,
    offeredFunctions: c.offered_functions,
    econsultationMaxLength: c.econsultation_max_length,
    bookingMinHoursAhead: c.booking_min_hours_ahead,
    bookingMaxDaysAhead: c.booking_max_days_ahead,
    // Until an admin chooses, the specialty decides: on for almen praksis, off for speciallæger.
    parentsMayActForChildren: c.parents_may_act_for_children ?? c.specialty === 'almen_praksis',
    acceptsPowerOfAttorney: c.accepts_power_of_attorney,
  };
}

const automaticRefused = (usesMitid: boolean) =>
  new AppError(
    400,
    'automatic_not_allowed',
    usesMitid
      ? {
          da: 'Automatisk godkendelse kræver, at leverandørens support har slået det til for klinikken.',
          en: 'Automatic approval requires vendor support to enable it for the clinic.',
        }
      : {
          da: 'Automatisk godkendelse kræver, at klinikken anvender MitID.',
          en: 'Automatic approval requires that the clinic uses MitID.',
        },
    'selfRegistration',
  );

/** A clinic admin's settings. Automatic approval needs MitID and support's switch. Audited with before and after. */
export async function updateClinicSettings(db: Database, clinicId: string, input: ClinicSettings, actor: Actor, now: Date) {
  if (input.bookingMinHoursAhead > input.bookingMaxDaysAhead * 24) {
    throw errors.validation('bookingMinHoursAhead', {
      da: 'Tidligst-grænsen skal ligge før senest-grænsen.',
      en: 'The earliest limit must come before the latest limit.',
    });
  }
  if (input.specialty === 'almen_praksis' && !/^\d{6}$/.test(input.ydernummer ?? '')) {
    throw errors.validation('ydernummer', { da: 'Almen praksis skal have et ydernummer på 6 cifre.', en: 'A general practice needs a 6-digit ydernummer.' });
  }
  await db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom('clinics').selectAll().where('id', '=', clinicId).forUpdate().executeTakeFirst();
    if (!before) throw errors.notFound();
    if (input.selfRegistration === 'automatic' && !(input.usesMitid && before.auto_approval_allowed)) throw automaticRefused(input.usesMitid);
    const after = {
      specialty: input.specialty,
      ydernummer: input.specialty === 'almen_praksis' ? input.ydernummer : null,
      uses_mitid: input.usesMitid,
      self_registration: input.selfRegistration,
      offered_functions: PORTAL_FUNCTIONS.filter((f) => input.offeredFunctions.includes(f)),
      econsultation_max_length: input.econsultationMaxLength,
      booking_min_hours_ahead: input.bookingMinHoursAhead,
      booking_max_days_ahead: input.bookingMaxDaysAhead,
      parents_may_act_for_children: input.parentsMayActForChildren ?? before.parents_may_act_for_children,
      accepts_power_of_attorney: input.acceptsPowerOfAttorney ?? before.accepts_power_of_attorney,
    };
    await trx.updateTable('clinics').set(after).where('id', '=', clinicId).execute();
    const changed = Object.fromEntries(
      Object.entries(after)
        .filter(([k, v]) => JSON.stringify(before[k as keyof typeof before]) !== JSON.stringify(v))
        .map(([k, v]) => [k, { before: before[k as keyof typeof before], after: v }]),
    );
    await audit(trx, actor, now, { action: 'clinic.settings_changed', clinicId, details: changed });
  });
}

/**
 * Vendor support's switch. Turning it off also moves an automatic clinic to manual approval, so
 * from that moment nothing is approved automatically.
 */
export async function setAutoApprovalAllowed(db: Database, clinicId: string, allowed: boolean, actor: Actor, now: Date) {
  await db.transaction().execute(async (trx) => {
    const clinic = await trx.selectFrom('clinics').select(['self_registration']).where('id', '=', clinicId).forUpdate().executeTakeFirst();
    if (!clinic) throw errors.notFound();
    const downgrade = !allowed && clinic.self_registration === 'automatic';
    await trx
      .updateTable('clinics')
      .set({ auto_approval_allowed: allowed, ...(downgrade ? { self_registration: 'manual' as const } : {}) })
      .where('id', '=', clinicId)
      .execute();
    await audit(trx, actor, now, { action: 'clinic.auto_approval_switched', clinicId, details: { allowed, movedToManual: downgrade } });
  });
}
