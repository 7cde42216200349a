import type { Kysely } from 'kysely';
import type { AppContext } from '../../context.ts';
import type { DB } from '../../db/schema.ts';
import { errors } from '../../errors.ts';
import { audit } from '../audit/audit.ts';
import { hashPassword } from '../auth/passwords.ts';
import { enqueueMail, mailAddress } from '../mail/outbox.ts';
import { findLoginAccount } from './patient-login.ts';
import { checkPatientPassword } from './password-policy.ts';
import { issuePatientToken, peekPatientToken, TOKEN_LIFETIME_MS, usePatientToken } from './patient-tokens.ts';

async function accountFor(ctx: AppContext, accountId: string) {
  const account = await ctx.db
    .selectFrom('patient_accounts')
    .select(['id', 'cpr', 'email', 'deleted_at'])
    .where('id', '=', accountId)
    .executeTakeFirstOrThrow();
  if (account.deleted_at) throw errors.invalidToken();
  return account;
}

/** The activation page: which clinic the link is for. Opening it does not use the link. */
export async function inspectActivation(ctx: AppContext, token: string) {
  const row = await peekPatientToken(ctx.db, token, 'activation', ctx.clock.now());
  const clinic = row.clinic_id ? await ctx.db.selectFrom('clinics').select('name').where('id', '=', row.clinic_id).executeTakeFirst() : undefined;
  return { clinicName: clinic?.name ?? null };
}

/** Activation: the patient's first password. Only this submit uses the link. */
export async function activateAccount(ctx: AppContext, input: { token: string; password: string; ip: string }) {
  const now = ctx.clock.now();
  const peeked = await peekPatientToken(ctx.db, input.token, 'activation', now);
  const account = await accountFor(ctx, peeked.account_id);
  checkPatientPassword(input.password, account);
  const passwordHash = await hashPassword(input.password);
  await ctx.db.transaction().execute(async (trx) => {
    const used = await usePatientToken(trx, input.token, 'activation', now);
    await trx
      .updateTable('patient_accounts')
      .set({ password_hash: passwordHash, activated_at: now, failed_logins: 0, stopped_at: null })
      .where('id', '=', used.account_id)
      .execute();
    const membership = used.clinic_id
      ? await trx
          .selectFrom('portal_memberships')
          .select('patient_id')
          .where('account_id', '=', used.account_id)
          .where('clinic_id', '=', used.clinic_id)
          .where('ended_at', 'is', null)
          .executeTakeFirst()
      : undefined;
    await audit(trx, { type: 'patient', id: used.account_id, ip: input.ip }, now, {
      action: 'portal.activated',
      clinicId: used.clinic_id,
      patientId: membership?.patient_id ?? null,
    });
  });
}

/**
 * "Glemt adgangskode", the second half (reset-requests.ts has the first): mails a link only if
 * the login exists and has an address. Runs in the transaction that handles the stored request.
 */
export async function mailPasswordReset(trx: Kysely<DB>, ctx: AppContext, input: { identifier: string; ip: string | null }, now: Date) {
  const account = await findLoginAccount(trx, input.identifier);
  if (!account?.email) return;
  const token = await issuePatientToken(trx, { accountId: account.id, purpose: 'password_reset' }, now);
  await enqueueMail(
    trx,
    {
      to: account.email,
      template: 'patientPasswordReset',
      params: { link: `${ctx.config.publicUrl}/portal/reset#token=${token}`, validMinutes: TOKEN_LIFETIME_MS.password_reset / 60_000 },
    },
    now,
  );
  await audit(trx, { type: 'patient', id: account.id, ip: input.ip }, now, { action: 'patient.password_reset_requested' });
}

export async function inspectPasswordReset(ctx: AppContext, token: string) {
  await peekPatientToken(ctx.db, token, 'password_reset', ctx.clock.now());
}

/**
 * A new password from a mailed link (the patient's own "Glemt adgangskode" or the clinic's
 * "Ny kode"). It lifts a stop after too many failures, ends every session and sends a notice.
 */
export async function resetPassword(ctx: AppContext, input: { token: string; password: string; ip: string }) {
  const now = ctx.clock.now();
  const peeked = await peekPatientToken(ctx.db, input.token, 'password_reset', now);
  const account = await accountFor(ctx, peeked.account_id);
  checkPatientPassword(input.password, account);
  const passwordHash = await hashPassword(input.password);
  await ctx.db.transaction().execute(async (trx) => {
    const used = await usePatientToken(trx, input.token, 'password_reset', now);
    await trx
      .updateTable('patient_accounts')
      .set({ password_hash: passwordHash, failed_logins: 0, stopped_at: null })
      .where('id', '=', used.account_id)
      .execute();
    await trx.deleteFrom('patient_sessions').where('account_id', '=', used.account_id).execute();
    await enqueueMail(
      trx,
      {
        to: mailAddress(account.email, `patient account ${used.account_id}`),
        template: 'patientPasswordChanged',
        params: { link: `${ctx.config.publicUrl}/portal/login` },
      },
      now,
    );
    await audit(trx, { type: 'patient', id: used.account_id, ip: input.ip }, now, { action: 'patient.password_reset' });
  });
  return { cpr: account.cpr, email: account.email };
}
