import type { AppContext } from '../../context.ts';
import { AppError, errors } from '../../errors.ts';
import { audit, type Actor } from '../audit/audit.ts';
import { verifyPassword } from '../auth/passwords.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { checkEmail } from '../staff/staff-accounts.ts';
import { issuePatientToken, TOKEN_LIFETIME_MS, usePatientToken } from './patient-tokens.ts';

const wrongPassword = () => new AppError(403, 'wrong_password', { da: 'Adgangskoden er forkert.', en: 'The password is wrong.' }, 'password');

/**
 * The patient's home: their clinics and, per clinic, the functions they may use now. Read from
 * the database on every request, so a right the clinic removes is gone on the next one.
 */
export async function getPatientOverview(ctx: AppContext, accountId: string) {
  const account = await ctx.db.selectFrom('patient_accounts').select(['email', 'phone', 'cpr']).where('id', '=', accountId).executeTakeFirstOrThrow();
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
  return {
    name: first ? `${first.given_name} ${first.family_name}` : null,
    email: account.email,
    phone: account.phone,
    clinics: memberships.map((m) => ({
      id: m.id,
      name: m.name,
      // A right counts only while the clinic still offers the function.
      rights: m.rights.filter((r) => m.offered_functions.includes(r)),
      wantsElectronicReply: m.wants_electronic_reply,
    })),
  };
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

/**
 * A new e-mail address takes effect when the patient opens the link mailed to it. The answer is
 * the same whether or not the address is taken, so this cannot be used to probe for accounts.
 */
export async function requestEmailChange(ctx: AppContext, actor: Actor, input: { password: string; newEmail: string }) {
  const newEmail = checkEmail(input.newEmail, 'newEmail');
  await checkOwnPassword(ctx, accountIdOf(actor), input.password);
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
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
    const taken = await trx
      .selectFrom('patient_accounts')
      .select('id')
      .where((eb) => eb(eb.fn('lower', ['email']), '=', newEmail.toLowerCase()))
      .where('id', '<>', used.account_id)
      .executeTakeFirst();
    if (taken) {
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
export async function deleteOwnLogin(ctx: AppContext, actor: Actor, password: string) {
  const { email } = await checkOwnPassword(ctx, accountIdOf(actor), password);
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
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
      .set({ deleted_at: now, password_hash: null, email: null, activated_at: null })
      .where('id', '=', accountIdOf(actor))
      .execute();
    await trx.updateTable('patient_tokens').set({ used_at: now }).where('account_id', '=', accountIdOf(actor)).where('used_at', 'is', null).execute();
    await trx.deleteFrom('patient_sessions').where('account_id', '=', accountIdOf(actor)).execute();
    if (email) await enqueueMail(trx, { to: email, template: 'patientLoginDeleted', params: { link: ctx.config.publicUrl } }, now);
    await audit(trx, actor, now, { action: 'patient.login_deleted' });
  });
}
