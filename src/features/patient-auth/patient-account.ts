import type { Kysely } from 'kysely';
import type { AppContext } from '../../context.ts';
import type { DB, PortalFunction, StepUpAction } from '../../db/schema.ts';
import { AppError, errors } from '../../errors.ts';
import { audit, type Actor } from '../audit/audit.ts';
import { verifyPassword } from '../auth/passwords.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { checkEmail } from '../staff/staff-accounts.ts';
import { addressHeldByAnother } from '../portal-access/accounts.ts';
import { consumeStepUp, currentStepUp } from '../mitid/mitid-stepup.ts';
import { deleteExportsOf } from '../data-export/data-export.repository.ts';
import { issuePatientToken, TOKEN_LIFETIME_MS, usePatientToken } from './patient-tokens.ts';

const wrongPassword = () => new AppError(403, 'wrong_password', { da: 'Adgangskoden er forkert.', en: 'The password is wrong.' }, 'password');
const reauthRequired = () =>
  new AppError(403, 'reauthentication_required', {
    da: 'Bekræft først, at det er dig: log ind med MitID igen.',
    en: 'First confirm it is you: log in with MitID again.',
  });

/**
 * How the patient proves it is them before a sensitive action: the password when they give one,
 * otherwise a fresh MitID step-up held by this session for this action (used up here).
 */
export interface Reauthentication {
  sessionId: string;
  password?: string | undefined;
}

/**
 * The patient's home: their clinics and, per clinic, the functions they may use now. Read from
 * the database on every request, so a right the clinic removes is gone on the next one.
 */
export async function getPatientOverview(ctx: AppContext, accountId: string, sessionId: string) {
  const account = await ctx.db
    .selectFrom('patient_accounts')
    .select(['email', 'phone', 'cpr', 'mitid_uuid'])
    .select((eb) => eb('password_hash', 'is not', null).as('has_password'))
    .where('id', '=', accountId)
    .executeTakeFirstOrThrow();
  const memberships = await ctx.db
    .selectFrom('portal_memberships as m')
    .innerJoin('clinics as c', 'c.id', 'm.clinic_id')
    .innerJoin('patients as p', 'p.id', 'm.patient_id')
    .select(['c.id', 'c.name', 'c.offered_functions', 'm.rights', 'm.wants_electronic_reply', 'p.given_name', 'p.family_name'])
    .where('m.account_id', '=', accountId)
    .where('m.ended_at', 'is', null)
    .orderBy('c.name')
    .execute();
  const first = memberships[0];
  const history = await functionsWithHistory(ctx, accountId);
  const stepUp = await currentStepUp(ctx.db, sessionId, ctx.clock.now());
  return {
    name: first ? `${first.given_name} ${first.family_name}` : null,
    email: account.email,
    phone: account.phone,
    hasPassword: account.has_password === true,
    stepUp: stepUp && { action: stepUp.action, until: stepUp.until.toISOString() },
    clinics: memberships.map((m) => ({
      id: m.id,
      name: m.name,
      // A right counts only while the clinic still offers the function.
      rights: m.rights.filter((r) => m.offered_functions.includes(r)),
      wantsElectronicReply: m.wants_electronic_reply,
      history: history.get(m.id) ?? [],
    })),
  };
}

/**
 * Per clinic, the functions the patient has used there (threads, appointments, renewal requests),
 * so a function without the right is shown only when there is history to read.
 */
async function functionsWithHistory(ctx: AppContext, accountId: string): Promise<Map<string, PortalFunction[]>> {
  const mine = ctx.db.selectFrom('portal_memberships').select(['clinic_id', 'patient_id']).where('account_id', '=', accountId).where('ended_at', 'is', null);
  const rows = await ctx.db
    .with('mine', () => mine)
    .selectFrom('mine')
    .select('mine.clinic_id')
    .select((eb) => [
      eb
        .exists(
          eb
            .selectFrom('econsultation_threads as t')
            .select('t.id')
            .whereRef('t.clinic_id', '=', 'mine.clinic_id')
            .whereRef('t.patient_id', '=', 'mine.patient_id'),
        )
        .as('econsultation'),
      eb
        .exists(
          eb.selectFrom('appointments as a').select('a.id').whereRef('a.clinic_id', '=', 'mine.clinic_id').whereRef('a.patient_id', '=', 'mine.patient_id'),
        )
        .as('booking'),
      eb
        .exists(
          eb.selectFrom('renewal_requests as r').select('r.id').whereRef('r.clinic_id', '=', 'mine.clinic_id').whereRef('r.patient_id', '=', 'mine.patient_id'),
        )
        .as('renewal'),
    ])
    .execute();
  return new Map(rows.map((r) => [r.clinic_id, (['econsultation', 'booking', 'renewal'] as const).filter((f) => r[f])]));
}

/** The patient account an actor stands for; patient actors always carry one. */
function accountIdOf(actor: Actor): string {
  if (!actor.id) throw new Error(`patient account: the ${actor.type} actor has no account id`);
  return actor.id;
}

export async function updatePhone(ctx: AppContext, actor: Actor, phone: string | null) {
  const trimmed = phone?.trim() || null;
  if (trimmed && !/^\+?[0-9 ]{8,16}$/.test(trimmed)) {
    throw errors.validation('phone', { da: 'Ugyldigt telefonnummer.', en: 'Invalid phone number.' });
  }
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('patient_accounts').set({ phone: trimmed }).where('id', '=', accountIdOf(actor)).execute();
    await audit(trx, actor, ctx.clock.now(), { action: 'patient.phone_changed' });
  });
}

async function checkOwnPassword(ctx: AppContext, accountId: string, password: string) {
  const row = await ctx.db.selectFrom('patient_accounts').select(['password_hash', 'email']).where('id', '=', accountId).executeTakeFirstOrThrow();
  if (!(await verifyPassword(row.password_hash, password))) throw wrongPassword();
  return row;
}

/** The password is checked before the transaction (it is slow); a step-up is used up inside it. */
async function reauthenticate(ctx: AppContext, trx: Kysely<DB>, reauth: Reauthentication, action: StepUpAction) {
  if (reauth.password !== undefined) return;
  if (!(await consumeStepUp(trx, reauth.sessionId, action, ctx.clock.now()))) throw reauthRequired();
}

/**
 * A new e-mail address takes effect when the patient opens the link mailed to it. The answer is
 * the same whether or not the address is taken, so this cannot be used to probe for accounts.
 */
export async function requestEmailChange(ctx: AppContext, actor: Actor, input: { newEmail: string } & Reauthentication) {
  const newEmail = checkEmail(input.newEmail, 'newEmail');
  if (input.password !== undefined) await checkOwnPassword(ctx, accountIdOf(actor), input.password);
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    await reauthenticate(ctx, trx, input, 'change_email');
    const token = await issuePatientToken(trx, { accountId: accountIdOf(actor), purpose: 'email_change', newEmail }, now);
    await enqueueMail(
      trx,
      {
        to: newEmail,
        template: 'patientEmailVerify',
        params: { link: `${ctx.config.publicUrl}/portal/confirm-email#token=${token}`, validMinutes: TOKEN_LIFETIME_MS.email_change / 60_000 },
      },
      now,
    );
    await audit(trx, actor, now, { action: 'patient.email_change_requested' });
  });
}

export async function confirmEmailChange(ctx: AppContext, input: { token: string; ip: string }) {
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const used = await usePatientToken(trx, input.token, 'email_change', now);
    const newEmail = used.new_email;
    if (!newEmail) throw new Error(`patient token for account ${used.account_id}: an e-mail change without a new address`);
    if (await addressHeldByAnother(trx, newEmail, { accountId: used.account_id })) {
      throw errors.conflict('email_in_use', {
        da: 'Adressen kan ikke bruges til dette login. Kontakt din klinik.',
        en: 'The address cannot be used for this login. Contact your clinic.',
      });
    }
    const old = await trx.selectFrom('patient_accounts').select('email').where('id', '=', used.account_id).executeTakeFirstOrThrow();
    await trx.updateTable('patient_accounts').set({ email: newEmail }).where('id', '=', used.account_id).execute();
    // Login codes went to the old address until now: tell it, so a change nobody asked for is noticed.
    if (old.email && old.email.toLowerCase() !== newEmail.toLowerCase()) {
      await enqueueMail(trx, { to: old.email, template: 'patientEmailChanged', params: { link: `${ctx.config.publicUrl}/portal/login` } }, now);
    }
    await audit(trx, { type: 'patient', id: used.account_id, ip: input.ip }, now, { action: 'patient.email_changed' });
  });
}

/**
 * "Slet mit login": ends every membership and the login itself. The clinics keep their records;
 * the ended memberships remember the rights for a later request.
 */
export async function deleteOwnLogin(ctx: AppContext, actor: Actor, reauth: Reauthentication) {
  if (reauth.password !== undefined) await checkOwnPassword(ctx, accountIdOf(actor), reauth.password);
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    await reauthenticate(ctx, trx, reauth, 'delete_login');
    const { email } = await trx.selectFrom('patient_accounts').select('email').where('id', '=', accountIdOf(actor)).executeTakeFirstOrThrow();
    const ended = await trx
      .updateTable('portal_memberships')
      .set({ ended_at: now, end_reason: 'login_deleted' })
      .where('account_id', '=', accountIdOf(actor))
      .where('ended_at', 'is', null)
      .returning(['clinic_id', 'patient_id', 'rights'])
      .execute();
    for (const m of ended) {
      await audit(trx, actor, now, { action: 'portal.login_deleted', clinicId: m.clinic_id, patientId: m.patient_id, details: { rights: m.rights } });
    }
    await trx
      .updateTable('patient_accounts')
      // Credentials and contact data go at once; the ended memberships stay for the clinics' history.
      .set({ deleted_at: now, password_hash: null, email: null, phone: null, mitid_uuid: null, activated_at: null, stopped_at: null })
      .where('id', '=', accountIdOf(actor))
      .execute();
    await trx.updateTable('patient_tokens').set({ used_at: now }).where('account_id', '=', accountIdOf(actor)).where('used_at', 'is', null).execute();
    await trx.deleteFrom('patient_sessions').where('account_id', '=', accountIdOf(actor)).execute();
    await deleteExportsOf(trx, accountIdOf(actor)); // "Hent mine data" ZIPs hold the contact data just erased
    if (email) await enqueueMail(trx, { to: email, template: 'patientLoginDeleted', params: { link: ctx.config.publicUrl } }, now);
    await audit(trx, actor, now, { action: 'patient.login_deleted' });
  });
}
