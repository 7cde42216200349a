import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { DB, PortalFunction } from '../../db/schema.ts';
import { AppError, errors } from '../../errors.ts';
import { audit, type Actor } from '../audit/audit.ts';
import { enqueueMail, mailAddress } from '../mail/outbox.ts';
import { issuePatientToken, TOKEN_LIFETIME_MS } from '../patient-auth/patient-tokens.ts';
import { checkEmail } from '../staff/staff-accounts.ts';
import { addressHeldByAnother, emailInUse } from './accounts.ts';
import { checkRights } from './rights.ts';

/** Who acts, where, on which patient record: every function here is scoped by these. */
export interface PortalScope {
  clinicId: string;
  patientId: string;
  actor: Actor;
  now: Date;
  publicUrl: string;
}

export interface PortalSettings {
  email: string;
  rights: string[];
  wantsElectronicReply: boolean;
}

const alreadyCreated = () =>
  errors.conflict('portal_access_exists', {
    da: 'Patienten har allerede adgang til Patientportalen fra klinikken.',
    en: 'The patient already has Patientportal access from this clinic.',
  });
const noAccess = () =>
  errors.conflict('no_portal_access', {
    da: 'Patienten har ikke adgang til Patientportalen fra klinikken.',
    en: 'The patient has no Patientportal access from this clinic.',
  });

/** Locks the clinic's patient record, so concurrent actions on one patient run one after another. */
async function lockPatient(trx: Transaction<DB>, scope: PortalScope) {
  const patient = await trx
    .selectFrom('patients as p')
    .innerJoin('clinics as c', 'c.id', 'p.clinic_id')
    .select(['p.id', 'p.cpr', 'p.email', 'c.name as clinic_name', 'c.offered_functions'])
    .where('p.id', '=', scope.patientId)
    .where('p.clinic_id', '=', scope.clinicId)
    .forUpdate('p')
    .executeTakeFirst();
  if (!patient) throw errors.notFound();
  return patient;
}

async function activeMembership(trx: Kysely<DB>, scope: PortalScope) {
  return trx
    .selectFrom('portal_memberships as m')
    .innerJoin('patient_accounts as a', 'a.id', 'm.account_id')
    .select(['m.id', 'm.account_id', 'm.rights', 'm.wants_electronic_reply', 'a.email', 'a.activated_at', 'a.password_hash'])
    .where('m.patient_id', '=', scope.patientId)
    .where('m.clinic_id', '=', scope.clinicId)
    .where('m.ended_at', 'is', null)
    .executeTakeFirst();
}

const activationLink = (publicUrl: string, token: string) => `${publicUrl}/portal/activate#token=${token}`;

/**
 * Opret: gives the patient portal access from this clinic. One login per person: an existing
 * login (from another clinic) is linked and told so; otherwise an activation link is mailed.
 */
export async function createPortalAccess(db: Database, scope: PortalScope, settings: PortalSettings) {
  const email = checkEmail(settings.email);
  return db.transaction().execute(async (trx) => {
    const patient = await lockPatient(trx, scope);
    const rights = checkRights(settings.rights, patient.offered_functions);
    if (await activeMembership(trx, scope)) throw alreadyCreated();

    if (await addressHeldByAnother(trx, email, { cpr: patient.cpr })) throw emailInUse();

    let account = await trx
      .selectFrom('patient_accounts')
      .select(['id', 'email', 'activated_at', 'deleted_at'])
      .where('cpr', '=', patient.cpr)
      .forUpdate()
      .executeTakeFirst();
    if (!account) {
      account = await trx
        .insertInto('patient_accounts')
        .values({ cpr: patient.cpr, email, created_at: scope.now })
        .returning(['id', 'email', 'activated_at', 'deleted_at'])
        .executeTakeFirstOrThrow();
    } else if (account.deleted_at) {
      // The person deleted their login earlier: it starts over, as a new login to activate.
      account = await trx
        .updateTable('patient_accounts')
        .set({ email, deleted_at: null, password_hash: null, activated_at: null, failed_logins: 0, stopped_at: null })
        .where('id', '=', account.id)
        .returning(['id', 'email', 'activated_at', 'deleted_at'])
        .executeTakeFirstOrThrow();
    }

    await trx
      .insertInto('portal_memberships')
      .values({
        account_id: account.id,
        clinic_id: scope.clinicId,
        patient_id: scope.patientId,
        rights,
        wants_electronic_reply: settings.wantsElectronicReply,
        created_at: scope.now,
      })
      .execute();
    if (!patient.email) await trx.updateTable('patients').set({ email }).where('id', '=', scope.patientId).execute();

    const linked = account.activated_at !== null;
    if (linked) {
      await enqueueMail(
        trx,
        {
          to: mailAddress(account.email, `patient account ${account.id}`),
          template: 'patientClinicAdded',
          params: { clinicName: patient.clinic_name, link: `${scope.publicUrl}/portal/login` },
          clinicId: scope.clinicId,
        },
        scope.now,
      );
    } else {
      const token = await issuePatientToken(trx, { accountId: account.id, purpose: 'activation', clinicId: scope.clinicId }, scope.now);
      await enqueueMail(
        trx,
        {
          to: account.email ?? email,
          template: 'patientActivation',
          params: { clinicName: patient.clinic_name, link: activationLink(scope.publicUrl, token), validDays: TOKEN_LIFETIME_MS.activation / 86_400_000 },
          clinicId: scope.clinicId,
        },
        scope.now,
      );
    }
    await audit(trx, scope.actor, scope.now, {
      action: linked ? 'portal.linked' : 'portal.created',
      clinicId: scope.clinicId,
      patientId: scope.patientId,
      details: { rights, wantsElectronicReply: settings.wantsElectronicReply },
    });
    return { linkedExistingLogin: linked };
  });
}

/** Gensend: a new activation link; every older one stops working. */
export async function resendActivation(db: Database, scope: PortalScope) {
  await db.transaction().execute(async (trx) => {
    const patient = await lockPatient(trx, scope);
    const membership = await activeMembership(trx, scope);
    if (!membership) throw noAccess();
    if (membership.activated_at) {
      throw errors.conflict('already_activated', {
        da: 'Patienten har allerede aktiveret sit login. Brug "Ny kode" for at sende et link til ny adgangskode.',
        en: 'The patient has already activated the login. Use "Ny kode" to send a new-password link.',
      });
    }
    const token = await issuePatientToken(trx, { accountId: membership.account_id, purpose: 'activation', clinicId: scope.clinicId }, scope.now);
    await enqueueMail(
      trx,
      {
        to: mailAddress(membership.email, `patient account ${membership.account_id}`),
        template: 'patientActivation',
        params: { clinicName: patient.clinic_name, link: activationLink(scope.publicUrl, token), validDays: TOKEN_LIFETIME_MS.activation / 86_400_000 },
        clinicId: scope.clinicId,
      },
      scope.now,
    );
    await audit(trx, scope.actor, scope.now, { action: 'portal.activation_resent', clinicId: scope.clinicId, patientId: scope.patientId });
  });
}

/**
 * Ret e-mail while "Afventer aktivering": the login takes the corrected address, every older
 * activation link stops working and a new one goes to the new address. Once activated, the
 * address is the patient's to change (from the profile), so this is refused.
 */
export async function correctPendingEmail(db: Database, scope: PortalScope, input: { email: string }) {
  const email = checkEmail(input.email);
  await db.transaction().execute(async (trx) => {
    const patient = await lockPatient(trx, scope);
    const membership = await activeMembership(trx, scope);
    if (!membership) throw noAccess();
    if (membership.activated_at) {
      throw errors.conflict('already_activated', {
        da: 'Patienten har aktiveret sit login; e-mailadressen kan kun ændres af patienten selv.',
        en: 'The patient has activated the login; only the patient can change the e-mail address.',
      });
    }
    if (await addressHeldByAnother(trx, email, { accountId: membership.account_id })) {
      throw new AppError(
        409,
        'email_in_use',
        {
          da: 'E-mailadressen bruges allerede af en anden persons login. Brug patientens egen adresse.',
          en: "The e-mail address is already used by another person's login. Use the patient's own address.",
        },
        'email',
      );
    }
    await trx.updateTable('patient_accounts').set({ email }).where('id', '=', membership.account_id).execute();
    // The record kept the mistyped address when Opret filled it in; correct it there too.
    if (membership.email !== null && patient.email?.toLowerCase() === membership.email.toLowerCase()) {
      await trx.updateTable('patients').set({ email }).where('id', '=', scope.patientId).execute();
    }
    const token = await issuePatientToken(trx, { accountId: membership.account_id, purpose: 'activation', clinicId: scope.clinicId }, scope.now);
    await enqueueMail(
      trx,
      {
        to: email,
        template: 'patientActivation',
        params: { clinicName: patient.clinic_name, link: activationLink(scope.publicUrl, token), validDays: TOKEN_LIFETIME_MS.activation / 86_400_000 },
        clinicId: scope.clinicId,
      },
      scope.now,
    );
    await audit(trx, scope.actor, scope.now, { action: 'portal.email_corrected', clinicId: scope.clinicId, patientId: scope.patientId });
  });
}

/** Ny kode: mails a link to choose a new password, valid 1 hour. */
export async function sendNewPasswordLink(db: Database, scope: PortalScope) {
  await db.transaction().execute(async (trx) => {
    await lockPatient(trx, scope);
    const membership = await activeMembership(trx, scope);
    if (!membership) throw noAccess();
    if (!membership.activated_at) {
      throw errors.conflict('not_activated', {
        da: 'Patienten har ikke aktiveret sit login endnu. Brug "Gensend" for at sende et nyt aktiveringslink.',
        en: 'The patient has not activated the login yet. Use "Gensend" to send a new activation link.',
      });
    }
    const token = await issuePatientToken(trx, { accountId: membership.account_id, purpose: 'password_reset' }, scope.now);
    await enqueueMail(
      trx,
      {
        to: mailAddress(membership.email, `patient account ${membership.account_id}`),
        template: 'patientPasswordReset',
        params: { link: `${scope.publicUrl}/portal/reset#token=${token}`, validMinutes: TOKEN_LIFETIME_MS.password_reset / 60_000 },
        clinicId: scope.clinicId,
      },
      scope.now,
    );
    await audit(trx, scope.actor, scope.now, { action: 'portal.password_link_sent', clinicId: scope.clinicId, patientId: scope.patientId });
  });
}

/** Ticks rights on and off; takes effect on the patient's next request. */
export async function updatePortalAccess(db: Database, scope: PortalScope, change: { rights: string[]; wantsElectronicReply: boolean }) {
  await db.transaction().execute(async (trx) => {
    const patient = await lockPatient(trx, scope);
    const rights = checkRights(change.rights, patient.offered_functions);
    const membership = await activeMembership(trx, scope);
    if (!membership) throw noAccess();
    await trx.updateTable('portal_memberships').set({ rights, wants_electronic_reply: change.wantsElectronicReply }).where('id', '=', membership.id).execute();
    await audit(trx, scope.actor, scope.now, {
      action: 'portal.rights_changed',
      clinicId: scope.clinicId,
      patientId: scope.patientId,
      details: {
        before: { rights: membership.rights, wantsElectronicReply: membership.wants_electronic_reply },
        after: { rights, wantsElectronicReply: change.wantsElectronicReply },
      },
    });
  });
}

/**
 * Slet: ends the association with this clinic only. The login, other clinics and every clinical
 * record stay; the ended row keeps the rights for a later request.
 */
export async function endPortalAccess(db: Database, scope: PortalScope) {
  await db.transaction().execute(async (trx) => {
    await lockPatient(trx, scope);
    const membership = await activeMembership(trx, scope);
    if (!membership) throw noAccess();
    await trx.updateTable('portal_memberships').set({ ended_at: scope.now, end_reason: 'clinic_deleted' }).where('id', '=', membership.id).execute();
    await audit(trx, scope.actor, scope.now, {
      action: 'portal.deleted',
      clinicId: scope.clinicId,
      patientId: scope.patientId,
      details: { rights: membership.rights },
    });
  });
}

type Rights = PortalFunction[];
const isRights = (value: unknown): value is Rights => Array.isArray(value) && value.every((v) => v === 'econsultation' || v === 'booking' || v === 'renewal');

/** What a "rights changed" history line changed: functions added and removed, and the reply wish. */
function rightsChange(details: Record<string, unknown>) {
  const before = details.before as { rights?: unknown; wantsElectronicReply?: unknown } | undefined;
  const after = details.after as { rights?: unknown; wantsElectronicReply?: unknown } | undefined;
  if (!before || !after || !isRights(before.rights) || !isRights(after.rights)) return null;
  const was = before.rights;
  const now = after.rights;
  return {
    added: now.filter((r) => !was.includes(r)),
    removed: was.filter((r) => !now.includes(r)),
    wantsElectronicReply: before.wantsElectronicReply === after.wantsElectronicReply ? null : after.wantsElectronicReply === true,
  };
}

export type PortalStatus = 'none' | 'pending_activation' | 'active' | 'stopped';

/** What the Patientportal form shows: state, settings, the pending link and a short history. */
export async function getPortalState(db: Database, clinicId: string, patientId: string) {
  const patient = await db
    .selectFrom('patients as p')
    .innerJoin('clinics as c', 'c.id', 'p.clinic_id')
    .select(['p.email', 'c.offered_functions'])
    .where('p.id', '=', patientId)
    .where('p.clinic_id', '=', clinicId)
    .executeTakeFirst();
  if (!patient) throw errors.notFound();
  const scope = { clinicId, patientId } as PortalScope;
  const membership = await activeMembership(db, scope);
  let activationSentAt: Date | null = null;
  let stopped = false;
  if (membership) {
    const account = await db.selectFrom('patient_accounts').select(['stopped_at']).where('id', '=', membership.account_id).executeTakeFirstOrThrow();
    stopped = account.stopped_at !== null;
    const pending = await db
      .selectFrom('patient_tokens')
      .select('created_at')
      .where('account_id', '=', membership.account_id)
      .where('purpose', '=', 'activation')
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    activationSentAt = pending?.created_at ?? null;
  }
  const previous = membership
    ? undefined
    : await db
        .selectFrom('portal_memberships as m')
        .innerJoin('patient_accounts as a', 'a.id', 'm.account_id')
        .select(['m.rights', 'm.ended_at', 'a.email as account_email'])
        .where('m.patient_id', '=', patientId)
        .where('m.clinic_id', '=', clinicId)
        .orderBy('m.ended_at', 'desc')
        .executeTakeFirst();
  const history = await db
    .selectFrom('audit_events as e')
    .leftJoin('staff_users as s', 's.id', 'e.actor_id')
    .select(['e.action', 'e.occurred_at', 'e.actor_type', 's.name as actor_name', 'e.details'])
    .where('e.clinic_id', '=', clinicId)
    .where('e.patient_id', '=', patientId)
    .where('e.action', 'like', 'portal.%')
    .orderBy('e.occurred_at', 'desc')
    .orderBy('e.id', 'desc')
    .limit(20)
    .execute();
  const status: PortalStatus = !membership ? 'none' : stopped ? 'stopped' : membership.activated_at ? 'active' : 'pending_activation';
  return {
    status,
    // After Slet the form shows the address of the login (the portal's), not the record's.
    email: membership?.email ?? previous?.account_email ?? patient.email,
    // A new form is preset to what the clinic offers; a deleted one to the rights it had.
    rights: membership?.rights ?? previous?.rights ?? patient.offered_functions,
    wantsElectronicReply: membership?.wants_electronic_reply ?? false,
    offeredFunctions: patient.offered_functions,
    activationSentAt: status === 'pending_activation' ? activationSentAt : null,
    previouslyDeletedAt: previous?.ended_at ?? null,
    history: history.map((h) => ({ action: h.action, at: h.occurred_at, actorType: h.actor_type, actorName: h.actor_name, change: rightsChange(h.details) })),
  };
}
