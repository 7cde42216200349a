import type { AppContext } from '../../context.ts';
import type { PortalFunction } from '../../db/schema.ts';
import { errors } from '../../errors.ts';
import { audit } from '../audit/audit.ts';
import type { PatientSession } from '../patient-auth/patient-sessions.ts';
import type { PatientScope } from '../portal-functions/patient-scope.ts';
import { fuldmagtErrors } from './fuldmagt-errors.ts';
import { stillValid, todayOf } from './fuldmagt-dates.ts';
import { ownAccount, requireMitid } from './fuldmagt.ts';
import { clinicNames, fuldmagtAt, giverRecords, receivedBy, setActingForFuldmagt } from './fuldmagt.repository.ts';

/**
 * The scope of a receiver acting for the giver at one clinic, checked in full on every request: a
 * MitID session, the fuldmagt accepted and neither revoked nor given up, its last day not passed
 * (ctx.clock), the clinic named in it and accepting fuldmagter, the giver's membership there live,
 * and the route's function granted. A route that names no function is refused (default deny).
 */
export async function fuldmagtScope(
  ctx: AppContext,
  session: PatientSession,
  fuldmagtId: string,
  clinicId: string,
  fn: PortalFunction | undefined,
): Promise<PatientScope> {
  const mitid = requireMitid(session);
  const row = await fuldmagtAt(ctx.db, fuldmagtId, session.accountId, clinicId);
  if (!row) throw errors.notFound();
  const giver = row.giver_name;
  if (row.status === 'revoked') throw fuldmagtErrors.revoked(giver);
  if (row.status !== 'accepted') throw fuldmagtErrors.ended(giver);
  if (!stillValid(row.valid_until, ctx.clock.now())) throw fuldmagtErrors.expired(giver, row.valid_until);
  if (!row.clinic_ids.includes(clinicId) || !row.clinic_name) throw fuldmagtErrors.clinicNotCovered(giver);
  if (!row.accepts_power_of_attorney) throw fuldmagtErrors.clinicRefuses();
  if (!row.patient_id || !row.rights || !row.giver_live_account || !row.offered_functions) throw fuldmagtErrors.giverLeft(giver);
  if (!fn || !row.functions.includes(fn)) throw fuldmagtErrors.functionNotGranted(giver, fn ?? null);
  const offered = row.offered_functions;
  return {
    accountId: session.accountId,
    clinicId,
    patientId: row.patient_id,
    rights: row.rights.filter((r) => offered.includes(r) && row.functions.includes(r)),
    wantsElectronicReply: row.wants_electronic_reply ?? false,
    clinicName: row.clinic_name,
    econsultationMaxLength: row.econsultation_max_length ?? 0,
    bookingMinHoursAhead: row.booking_min_hours_ahead ?? 0,
    bookingMaxDaysAhead: row.booking_max_days_ahead ?? 0,
    under15: false,
    actingFor: { relation: 'fuldmagt', actorName: mitid.name, forName: `${row.given_name ?? ''} ${row.family_name ?? ''}`.trim() || giver },
  };
}

export interface ReceivedFuldmagt {
  id: string;
  giverName: string;
  status: 'offered' | 'accepted';
  functions: PortalFunction[];
  validUntil: string;
  clinics: { id: string; name: string; rights: PortalFunction[] }[];
}

/** Offers and accepted fuldmagter for this MitID login (matched by its CPR number); none without MitID. */
export async function receivedFuldmagter(ctx: AppContext, session: PatientSession): Promise<ReceivedFuldmagt[]> {
  if (!session.mitid) return [];
  try {
    requireMitid(session);
  } catch {
    return [];
  }
  const me = await ownAccount(ctx, session);
  const rows = await receivedBy(ctx.db, me.cpr, todayOf(ctx.clock.now()));
  const result: ReceivedFuldmagt[] = [];
  for (const row of rows) {
    // An offer to this CPR number accepted by another login cannot happen (one login per CPR), but keep it out anyway.
    if (row.receiver_account_id && row.receiver_account_id !== me.id) continue;
    const names = await clinicNames(ctx.db, row.clinic_ids);
    result.push({
      id: row.id,
      giverName: row.giver_name,
      status: row.status === 'accepted' ? 'accepted' : 'offered',
      functions: row.functions,
      validUntil: row.valid_until,
      clinics: names.map((c) => ({ id: c.id, name: c.name, rights: row.functions.filter((f) => c.offered_functions.includes(f)) })),
    });
  }
  return result;
}

/** Switches the session to act under an accepted fuldmagt, audited in the giver's records (so Min log shows it). */
export async function switchToFuldmagt(ctx: AppContext, session: PatientSession, fuldmagtId: string, ip: string): Promise<void> {
  const mitid = requireMitid(session);
  const usable = (await receivedFuldmagter(ctx, session)).find((f) => f.id === fuldmagtId && f.status === 'accepted');
  // Someone else's fuldmagt, an offer not yet accepted or one that ended: the same 404 as a made-up id.
  if (!usable) throw errors.notFound();
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    await setActingForFuldmagt(trx, session.id, fuldmagtId);
    const row = await trx.selectFrom('fuldmagter').select(['giver_account_id', 'clinic_ids']).where('id', '=', fuldmagtId).executeTakeFirstOrThrow();
    for (const record of await giverRecords(trx, row.giver_account_id, row.clinic_ids)) {
      await audit(trx, { type: 'patient', id: session.accountId, ip }, now, {
        action: 'fuldmagt.switched',
        clinicId: record.clinic_id,
        patientId: record.patient_id,
        details: { fuldmagtId, actingFor: { relation: 'fuldmagt', actorAccountId: session.accountId, actorName: mitid.name, patientId: record.patient_id } },
      });
    }
  });
}

export const stopActingForFuldmagt = (ctx: AppContext, session: PatientSession) => setActingForFuldmagt(ctx.db, session.id, null);
