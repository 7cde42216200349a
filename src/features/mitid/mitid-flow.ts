import type { AppContext } from '../../context.ts';
import type { StepUpAction } from '../../db/schema.ts';
import { hashToken, newToken } from '../auth/tokens.ts';
import type { MitidIdentity } from './claims.ts';
import { MitidError } from './mitid-client.ts';

const FLOW_TTL_MS = 10 * 60_000;
export const IDENTITY_TTL_MS = 30 * 60_000;

/**
 * Starts an authorization: state, nonce and PKCE verifier are kept server-side, bound to a
 * random browser token (cookie), and can be used once within 10 minutes.
 */
export async function startMitidFlow(
  ctx: AppContext,
  purpose: 'login' | 'register' | 'stepup',
  clinicId: string | null,
  stepUp: { patientSessionId: string; action: StepUpAction } | null = null,
) {
  const mitid = ctx.mitid;
  if (!mitid) throw new Error('startMitidFlow: MitID is not configured');
  const browserToken = newToken();
  const pending = mitid.newAuthorization();
  const now = ctx.clock.now();
  await ctx.db
    .insertInto('mitid_flows')
    .values({
      browser_hash: hashToken(browserToken),
      state: pending.state,
      nonce: pending.nonce,
      code_verifier: pending.codeVerifier,
      purpose,
      clinic_id: clinicId,
      patient_session_id: stepUp?.patientSessionId ?? null,
      stepup_action: stepUp?.action ?? null,
      created_at: now,
      expires_at: new Date(now.getTime() + FLOW_TTL_MS),
    })
    .execute();
  return { browserToken, url: await mitid.authorizationUrl(pending) };
}

/** Finishes an authorization from the callback URL; a state that is unknown, foreign, used or old fails. */
export async function finishMitidFlow(ctx: AppContext, callbackUrl: URL, browserToken: string | undefined) {
  const state = callbackUrl.searchParams.get('state');
  const now = ctx.clock.now();
  const flow =
    state && browserToken
      ? await ctx.db
          .updateTable('mitid_flows')
          .set({ used_at: now })
          .where('state', '=', state)
          .where('browser_hash', '=', hashToken(browserToken))
          .where('used_at', 'is', null)
          .where('expires_at', '>', now)
          .returning(['id', 'purpose', 'clinic_id', 'state', 'nonce', 'code_verifier', 'patient_session_id', 'stepup_action'])
          .executeTakeFirst()
      : undefined;
  if (!flow) {
    throw new MitidError(
      'mitid_state_invalid',
      'Login med MitID kunne ikke bekræftes. Start forfra.',
      'The MitID login could not be confirmed. Please start again.',
    );
  }
  try {
    const mitid = ctx.mitid;
    if (!mitid) throw new Error('finishMitidFlow: MitID is not configured');
    const identity: MitidIdentity = await mitid.finish(callbackUrl, { state: flow.state, nonce: flow.nonce, codeVerifier: flow.code_verifier });
    return { ...flowOf(flow), identity, error: undefined };
  } catch (error) {
    if (error instanceof MitidError) return { ...flowOf(flow), identity: undefined, error };
    throw error;
  }
}

const flowOf = (flow: {
  id: string;
  purpose: 'login' | 'register' | 'stepup';
  clinic_id: string | null;
  patient_session_id: string | null;
  stepup_action: StepUpAction | null;
}) => ({
  flowId: flow.id,
  purpose: flow.purpose,
  clinicId: flow.clinic_id,
  stepUp: flow.patient_session_id && flow.stepup_action ? { patientSessionId: flow.patient_session_id, action: flow.stepup_action } : null,
});

/** Keeps an identified person for the registration steps; returns the cookie token. */
export async function rememberIdentity(ctx: AppContext, clinicId: string, identity: MitidIdentity): Promise<string> {
  const token = newToken();
  const now = ctx.clock.now();
  await ctx.db
    .insertInto('mitid_identities')
    .values({
      token_hash: hashToken(token),
      clinic_id: clinicId,
      cpr: identity.cpr,
      mitid_uuid: identity.uuid,
      name: identity.name,
      birth_date: identity.birthDate,
      loa: identity.loa,
      created_at: now,
      expires_at: new Date(now.getTime() + IDENTITY_TTL_MS),
    })
    .execute();
  return token;
}

/**
 * The identified person behind the cookie. A used identity (its registration was submitted) is
 * still found when `includeUsed`, so a repeated submit can answer with the decision already made.
 */
export async function findIdentity(ctx: AppContext, token: string | undefined, clinicId: string, includeUsed = false) {
  if (!token) return undefined;
  let query = ctx.db
    .selectFrom('mitid_identities')
    .selectAll()
    .where('token_hash', '=', hashToken(token))
    .where('clinic_id', '=', clinicId)
    .where('expires_at', '>', ctx.clock.now());
  if (!includeUsed) query = query.where('used_at', 'is', null);
  return query.executeTakeFirst();
}
