import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../errors.ts';
import type { Actor } from '../audit/audit.ts';
import { audit } from '../audit/audit.ts';
import { countTry, issueRecoveryCodes } from './second-factor.ts';

/** Passkeys (WebAuthn) for staff, with @simplewebauthn/server: the relying party is PUBLIC_URL's host. */
const relyingParty = (ctx: AppContext) => {
  const url = new URL(ctx.config.publicUrl);
  return { rpID: url.hostname, origin: url.origin };
};

const refused = () =>
  new AppError(401, 'passkey_refused', {
    da: 'Passkey kunne ikke bekræftes. Prøv igen, eller brug en anden metode.',
    en: 'The passkey could not be verified. Try again, or use another method.',
  });

/** Registration options for the user; the challenge is kept on the user until the answer comes. */
export async function passkeyRegistrationOptions(ctx: AppContext, userId: string) {
  const user = await ctx.db.selectFrom('staff_users').select(['email', 'name']).where('id', '=', userId).executeTakeFirstOrThrow();
  const existing = await ctx.db.selectFrom('staff_passkeys').select(['id', 'transports']).where('user_id', '=', userId).execute();
  const options = await generateRegistrationOptions({
    rpName: 'Patientportal',
    rpID: relyingParty(ctx).rpID,
    userName: user.email,
    userDisplayName: user.name,
    attestationType: 'none',
    excludeCredentials: existing.map((c) => ({ id: c.id, transports: c.transports })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
  });
  await ctx.db.updateTable('staff_users').set({ webauthn_challenge: options.challenge }).where('id', '=', userId).execute();
  return options;
}

/**
 * Stores a verified new passkey. A user who had no recovery codes gets ten (shown once), so a
 * lost passkey does not lock them out.
 */
export async function registerPasskey(ctx: AppContext, userId: string, response: RegistrationResponseJSON, actor: Actor): Promise<string[]> {
  const now = ctx.clock.now();
  const user = await ctx.db.selectFrom('staff_users').select('webauthn_challenge').where('id', '=', userId).executeTakeFirstOrThrow();
  if (!user.webauthn_challenge) throw refused();
  const { rpID, origin } = relyingParty(ctx);
  const verification = await verifyRegistrationResponse({
    response,
    expectedChallenge: user.webauthn_challenge,
    expectedOrigin: origin,
    expectedRPID: rpID,
    requireUserVerification: false,
  }).catch(() => undefined);
  if (!verification?.verified) throw refused();
  const { credential } = verification.registrationInfo;
  return ctx.db.transaction().execute(async (trx) => {
    // The challenge is used up in the statement that checks it: one registration per challenge.
    const used = await trx
      .updateTable('staff_users')
      .set({ webauthn_challenge: null })
      .where('id', '=', userId)
      .where('webauthn_challenge', '=', user.webauthn_challenge)
      .executeTakeFirst();
    if (used.numUpdatedRows !== 1n) throw refused();
    await trx
      .insertInto('staff_passkeys')
      .values({
        id: credential.id,
        user_id: userId,
        public_key: Buffer.from(credential.publicKey),
        counter: credential.counter,
        transports: credential.transports ?? [],
        created_at: now,
      })
      .execute();
    await audit(trx, actor, now, { action: 'staff.passkey_added' });
    const unused = await trx.selectFrom('staff_recovery_codes').select('code_hash').where('user_id', '=', userId).where('used_at', 'is', null).execute();
    return unused.length ? [] : issueRecoveryCodes(trx, ctx, userId);
  });
}

/** Options for the waiting login: the user's passkeys, and a challenge kept on the waiting login. */
export async function passkeyLoginOptions(ctx: AppContext, challengeId: string, userId: string) {
  const passkeys = await ctx.db.selectFrom('staff_passkeys').select(['id', 'transports']).where('user_id', '=', userId).execute();
  const options = await generateAuthenticationOptions({
    rpID: relyingParty(ctx).rpID,
    allowCredentials: passkeys.map((p) => ({ id: p.id, transports: p.transports })),
    userVerification: 'preferred',
  });
  await ctx.db.updateTable('staff_login_challenges').set({ webauthn_challenge: options.challenge }).where('id', '=', challengeId).execute();
  return options;
}

/** The second step with a passkey: counts the try, checks the signature and the counter, uses the waiting login up. */
export async function verifyPasskeyLogin(ctx: AppContext, token: string | undefined, response: AuthenticationResponseJSON, ip: string) {
  const now = ctx.clock.now();
  const tried = await countTry(ctx.db, token, now);
  const waiting = await ctx.db.selectFrom('staff_login_challenges').select('webauthn_challenge').where('id', '=', tried.id).executeTakeFirstOrThrow();
  const passkey = await ctx.db
    .selectFrom('staff_passkeys')
    .select(['id', 'public_key', 'counter', 'transports'])
    .where('id', '=', response.id)
    .where('user_id', '=', tried.user_id)
    .executeTakeFirst();
  if (!waiting.webauthn_challenge || !passkey) throw refused();
  const { rpID, origin } = relyingParty(ctx);
  const verification = await verifyAuthenticationResponse({
    response,
    expectedChallenge: waiting.webauthn_challenge,
    expectedOrigin: origin,
    expectedRPID: rpID,
    credential: { id: passkey.id, publicKey: new Uint8Array(passkey.public_key), counter: passkey.counter, transports: passkey.transports },
    requireUserVerification: false,
  }).catch(() => undefined);
  if (!verification?.verified) throw refused();
  return ctx.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('staff_passkeys')
      .set({ counter: verification.authenticationInfo.newCounter, last_used_at: now })
      .where('id', '=', passkey.id)
      .execute();
    const done = await trx
      .updateTable('staff_login_challenges')
      .set({ used_at: now, webauthn_challenge: null })
      .where('id', '=', tried.id)
      .where('used_at', 'is', null)
      .where('webauthn_challenge', '=', waiting.webauthn_challenge)
      .executeTakeFirst();
    if (done.numUpdatedRows !== 1n) throw refused();
    await audit(trx, { type: 'staff', id: tried.user_id, ip }, now, { action: 'staff.second_factor', details: { method: 'passkey' } });
    return { userId: tried.user_id };
  });
}
