import { sql, type Transaction } from 'kysely';
import type { AppContext } from '../../context.ts';
import type { Clinic, DB, LoginRequestReason, RegistryAnswer } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { ensureRecordAndLogin } from '../portal-access/accounts.ts';
import { audit } from '../audit/audit.ts';
import { RegistryUnavailable } from '../gp-registry/gp-registry.ts';
import { ageOn } from '../mitid/claims.ts';
import { createPatientSession } from '../patient-auth/patient-sessions.ts';

export interface VerifiedRegistration {
  identityId: string;
  cpr: string;
  mitidUuid: string;
  name: string;
  birthDate: string;
  email: string;
  phone: string | null;
}

export type RegistrationOutcome =
  | { outcome: 'approved'; session: { id: string; token: string } }
  | { outcome: 'queued'; reason: LoginRequestReason; alreadyOpen: boolean }
  | { outcome: 'already_member' };

export const MIN_SELF_REGISTRATION_AGE = 15;

export const under15 = () =>
  new AppError(403, 'under_15', {
    da: 'Du skal være fyldt 15 år for selv at oprette dig. En forælder med forældremyndighed skal kontakte klinikken.',
    en: 'You must be 15 or older to register yourself. A parent with custody must contact the clinic.',
  });

export const registrationClosed = () =>
  new AppError(403, 'self_registration_closed', {
    da: 'Klinikken tager ikke imod tilmeldinger med MitID. Kontakt klinikken for at få adgang til Patientportalen.',
    en: 'The clinic does not accept MitID registrations. Contact the clinic to get Patientportal access.',
  });

export const clinicAcceptsMitid = (clinic: Pick<Clinic, 'uses_mitid' | 'self_registration'>) => clinic.uses_mitid && clinic.self_registration !== 'none';

/** Automatic approval needs MitID, the clinic's choice and vendor support's switch, all three. */
export const isAutomatic = (clinic: Pick<Clinic, 'uses_mitid' | 'self_registration' | 'auto_approval_allowed'>) =>
  clinic.uses_mitid && clinic.self_registration === 'automatic' && clinic.auto_approval_allowed;

/** Asks the registry before any transaction: a slow registry must not hold a database lock. */
async function automaticVerdict(
  ctx: AppContext,
  clinic: Clinic,
  cpr: string,
): Promise<{ approve: boolean; reason: LoginRequestReason; answer: RegistryAnswer | null }> {
  if (!isAutomatic(clinic)) return { approve: false, reason: 'manual_clinic', answer: null };
  if (clinic.specialty !== 'almen_praksis') return { approve: true, reason: 'auto_approved', answer: null };
  try {
    const own = await ctx.gpRegistry.ownDoctor(cpr);
    if (own.status === 'found' && own.ydernummer === clinic.ydernummer) return { approve: true, reason: 'auto_approved', answer: null };
    const answer: RegistryAnswer = own.status === 'found' ? 'other_doctor' : own.status === 'none' ? 'no_doctor' : 'unknown_cpr';
    return { approve: false, reason: 'not_own_doctor', answer };
  } catch (error) {
    if (error instanceof RegistryUnavailable) return { approve: false, reason: 'registry_unavailable', answer: null };
    throw error;
  }
}

/**
 * Decides a MitID registration at a clinic and stores the decision with its reason: a membership
 * at once (automatic clinic, own doctor for almen praksis), or a request in the clinic's queue.
 * Concurrent submits for one person and clinic are serialised by an advisory lock, so they end
 * in one membership or one request.
 */
export async function decideRegistration(ctx: AppContext, clinic: Clinic, reg: VerifiedRegistration, ip: string): Promise<RegistrationOutcome> {
  const now = ctx.clock.now();
  if (ageOn(reg.birthDate, now) < MIN_SELF_REGISTRATION_AGE) throw under15();
  if (!clinicAcceptsMitid(clinic)) throw registrationClosed();
  const verdict = await automaticVerdict(ctx, clinic, reg.cpr);

  return ctx.db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`registration:${clinic.id}:${reg.cpr}`}))`.execute(trx);
    const member = await trx
      .selectFrom('portal_memberships as m')
      .innerJoin('patient_accounts as a', 'a.id', 'm.account_id')
      .select('m.id')
      .where('a.cpr', '=', reg.cpr)
      .where('m.clinic_id', '=', clinic.id)
      .where('m.ended_at', 'is', null)
      .executeTakeFirst();
    if (member) return { outcome: 'already_member' as const };
    const open = await trx
      .selectFrom('login_requests')
      .select('reason')
      .where('clinic_id', '=', clinic.id)
      .where('cpr', '=', reg.cpr)
      .where('status', '=', 'open')
      .executeTakeFirst();
    if (open) return { outcome: 'queued' as const, reason: open.reason, alreadyOpen: true };

    const used = await trx
      .updateTable('mitid_identities')
      .set({ used_at: now })
      .where('id', '=', reg.identityId)
      .where('used_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (!used) {
      throw new AppError(409, 'registration_used', {
        da: 'Tilmeldingen er allerede sendt. Log ind med MitID igen for at se status.',
        en: 'The registration was already sent. Log in with MitID again to see its status.',
      });
    }

    const request = {
      clinic_id: clinic.id,
      cpr: reg.cpr,
      name: reg.name,
      birth_date: reg.birthDate,
      email: reg.email,
      phone: reg.phone,
      identity_verified: 'mitid' as const,
      mitid_uuid: reg.mitidUuid,
      reason: verdict.reason,
      registry_answer: verdict.answer,
      created_at: now,
    };
    const actor = { type: 'patient' as const, id: null, ip };
    if (!verdict.approve) {
      const queued = await trx
        .insertInto('login_requests')
        .values({ ...request, status: 'open' })
        .returning('id')
        .executeTakeFirstOrThrow();
      await audit(trx, actor, now, {
        action: 'registration.queued',
        clinicId: clinic.id,
        details: { reason: verdict.reason, registryAnswer: verdict.answer, requestId: queued.id },
      });
      return { outcome: 'queued' as const, reason: verdict.reason, alreadyOpen: false };
    }

    const { accountId, patientId } = await grantAtOnce(trx, clinic, reg, now);
    await trx
      .insertInto('login_requests')
      .values({ ...request, status: 'approved', handled_at: now, granted_rights: clinic.offered_functions, patient_id: patientId })
      .execute();
    await audit(trx, { ...actor, id: accountId }, now, {
      action: 'registration.auto_approved',
      clinicId: clinic.id,
      patientId,
      details: { rights: clinic.offered_functions },
    });
    const session = await createPatientSession(trx, accountId, now, ctx.sessionPolicy);
    return { outcome: 'approved' as const, session };
  });
}

/** The clinic's patient record (created from MitID data if new), the one login, the membership. */
async function grantAtOnce(trx: Transaction<DB>, clinic: Clinic, reg: VerifiedRegistration, now: Date) {
  const person = { cpr: reg.cpr, name: reg.name, email: reg.email, phone: reg.phone, mitidUuid: reg.mitidUuid };
  const { patientId, accountId } = await ensureRecordAndLogin(trx, clinic.id, person, now);
  await trx
    .insertInto('portal_memberships')
    .values({ account_id: accountId, clinic_id: clinic.id, patient_id: patientId, rights: clinic.offered_functions, created_at: now })
    .execute();
  return { accountId, patientId };
}
