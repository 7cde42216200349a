import type { AppContext } from '../../context.ts';
import { errors } from '../../errors.ts';
import { audit } from '../audit/audit.ts';
import { FailureThrottle } from '../patient-auth/failure-throttle.ts';
import { turnAwayWhenHashingIsFull, verifyPassword } from './passwords.ts';

/**
 * The password step of a staff login. Slowed per e-mail typed (the patients' rule: 5 free
 * failures, then 1 s doubling to 60 s, whether or not the user exists), and the same work either
 * way: one argon2 verify, and on a failure one audit row (the try was counted before the check).
 */
export async function checkStaffPassword(ctx: AppContext, throttle: FailureThrottle, input: { email: string; password: string; ip: string }) {
  turnAwayWhenHashingIsFull();
  const now = ctx.clock.now();
  const email = input.email.trim().toLowerCase();
  const key = `staff:${email}`;
  await throttle.claim(key, now);
  const user = await ctx.db
    .selectFrom('staff_users')
    .select(['id', 'password_hash'])
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email))
    .executeTakeFirst();
  const ok = await verifyPassword(user?.password_hash, input.password);
  if (!user || !ok) {
    await audit(ctx.db, { type: 'staff', id: user?.id ?? null, ip: input.ip }, now, { action: 'staff.login_failed' });
    throw errors.invalidCredentials();
  }
  await throttle.succeed(key);
  return { userId: user.id };
}
