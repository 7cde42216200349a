import type { Database } from '../../db/database.ts';
import type { StaffRole } from '../../db/schema.ts';
import { AppError, errors } from '../../errors.ts';
import { audit, type Actor } from '../audit/audit.ts';
import { hashToken, newToken } from '../auth/tokens.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { hashPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../auth/passwords.ts';
import { checkPassword } from '../patient-auth/password-policy.ts';

export const STAFF_LINK_VALID_DAYS = 7;

export interface NewStaffUser {
  email: string;
  name: string;
  isSupport?: boolean;
  clinics: { clinicId: string; role: StaffRole }[];
  /** Set directly (demo data); otherwise the user is mailed a link to choose one. */
  password?: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function checkEmail(email: string, field = 'email'): string {
  const trimmed = email.trim();
  if (!EMAIL.test(trimmed) || trimmed.length > 254) {
    throw errors.validation(field, { da: 'Ugyldig e-mailadresse.', en: 'Invalid e-mail address.' });
  }
  return trimmed;
}

export function checkPasswordLength(password: string): void {
  if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
    throw errors.validation('password', {
      da: `Adgangskoden skal have ${PASSWORD_MIN_LENGTH} til ${PASSWORD_MAX_LENGTH} tegn.`,
      en: `The password must have ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters.`,
    });
  }
}

/** Creates a staff user with memberships, its audit row and (without a password) its set-password mail, in one transaction. */
export async function createStaffUser(db: Database, input: NewStaffUser, actor: Actor, now: Date, publicUrl: string): Promise<{ id: string }> {
  const email = checkEmail(input.email);
  if (input.password !== undefined) checkPassword(input.password, { email });
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  return db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('staff_users')
      .select('id')
      .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
      .executeTakeFirst();
    if (existing) {
      throw new AppError(409, 'email_taken', {
        da: 'Der findes allerede en medarbejder med denne e-mail.',
        en: 'A staff user with this e-mail already exists.',
      });
    }
    const user = await trx
      .insertInto('staff_users')
      .values({ email, name: input.name, is_support: input.isSupport ?? false, password_hash: passwordHash })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const clinic of input.clinics) {
      await trx.insertInto('staff_memberships').values({ user_id: user.id, clinic_id: clinic.clinicId, role: clinic.role }).execute();
    }
    await audit(trx, actor, now, {
      action: 'staff.created',
      clinicId: input.clinics[0]?.clinicId ?? null,
      details: { staffUserId: user.id, clinics: input.clinics, support: input.isSupport ?? false },
    });
    if (passwordHash === null) {
      const token = newToken();
      await trx
        .insertInto('staff_password_tokens')
        .values({
          token_hash: hashToken(token),
          user_id: user.id,
          created_at: now,
          expires_at: new Date(now.getTime() + STAFF_LINK_VALID_DAYS * 86_400_000),
        })
        .execute();
      await enqueueMail(
        trx,
        {
          to: email,
          template: 'staffSetPassword',
          params: { name: input.name, link: `${publicUrl}/set-password#token=${token}`, validDays: STAFF_LINK_VALID_DAYS },
          clinicId: input.clinics[0]?.clinicId ?? null,
        },
        now,
      );
    }
    return { id: user.id };
  });
}

/**
 * Uses a set-password link: the token is marked used in the same statement that checks it, so
 * two submits at once cannot both use it. Every session of the user ends.
 */
export async function setStaffPasswordWithToken(db: Database, token: string, password: string, ip: string | null, now: Date): Promise<void> {
  // The patients' rules (length, common passwords, not the e-mail, not one repeated character).
  const owner = await db
    .selectFrom('staff_password_tokens as t')
    .innerJoin('staff_users as u', 'u.id', 't.user_id')
    .select('u.email')
    .where('t.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  checkPassword(password, { email: owner?.email ?? null });
  const passwordHash = await hashPassword(password);
  await db.transaction().execute(async (trx) => {
    const used = await trx
      .updateTable('staff_password_tokens')
      .set({ used_at: now })
      .where('token_hash', '=', hashToken(token))
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning('user_id')
      .executeTakeFirst();
    if (!used) throw errors.invalidToken();
    await trx.updateTable('staff_users').set({ password_hash: passwordHash }).where('id', '=', used.user_id).execute();
    // Any other outstanding link for this user is void now.
    await trx.updateTable('staff_password_tokens').set({ used_at: now }).where('user_id', '=', used.user_id).where('used_at', 'is', null).execute();
    await trx.deleteFrom('staff_sessions').where('user_id', '=', used.user_id).execute();
    await audit(trx, { type: 'staff', id: used.user_id, ip }, now, { action: 'staff.password_set' });
  });
}
