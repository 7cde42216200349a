import type { Kysely } from 'kysely';
import type { AppContext } from '../../context.ts';
import type { DB, StepUpAction } from '../../db/schema.ts';
import { audit } from '../audit/audit.ts';
import type { MitidIdentity } from './claims.ts';

/** How long a MitID step-up stays usable for the one action it was made for. */
export const STEPUP_TTL_MS = 5 * 60_000;

/**
 * The end of a step-up round trip: MitID must have identified the same person as the patient
 * session that asked, and only then may that session do the one action, once, within 5 minutes.
 */
export async function completeStepUp(
  ctx: AppContext,
  stepUp: { patientSessionId: string; action: StepUpAction },
  identity: MitidIdentity,
  ip: string,
): Promise<boolean> {
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const session = await trx
      .selectFrom('patient_sessions as s')
      .innerJoin('patient_accounts as a', 'a.id', 's.account_id')
      .select(['s.id', 'a.id as account_id', 'a.cpr'])
      .where('s.id', '=', stepUp.patientSessionId)
      .where('s.expires_at', '>', now)
      .where('a.deleted_at', 'is', null)
      .executeTakeFirst();
    if (session?.cpr !== identity.cpr) return false;
    await trx.updateTable('patient_sessions').set({ stepped_up_at: now, stepup_action: stepUp.action }).where('id', '=', session.id).execute();
    await trx.updateTable('patient_accounts').set({ mitid_uuid: identity.uuid }).where('id', '=', session.account_id).execute();
    await audit(trx, { type: 'patient', id: session.account_id, ip }, now, { action: 'patient.mitid_stepup', details: { for: stepUp.action } });
    return true;
  });
}

/** Uses up the session's step-up for `action` in the caller's transaction; false when there is none. */
export async function consumeStepUp(trx: Kysely<DB>, sessionId: string, action: StepUpAction, now: Date): Promise<boolean> {
  const used = await trx
    .updateTable('patient_sessions')
    .set({ stepped_up_at: null, stepup_action: null })
    .where('id', '=', sessionId)
    .where('stepup_action', '=', action)
    .where('stepped_up_at', '>', new Date(now.getTime() - STEPUP_TTL_MS))
    .returning('id')
    .executeTakeFirst();
  return used !== undefined;
}

/** The step-up a session holds now, if any, so the profile can offer the action it was made for. */
export async function currentStepUp(db: Kysely<DB>, sessionId: string, now: Date): Promise<{ action: StepUpAction; until: Date } | null> {
  const row = await db
    .selectFrom('patient_sessions')
    .select(['stepped_up_at', 'stepup_action'])
    .where('id', '=', sessionId)
    .where('stepped_up_at', '>', new Date(now.getTime() - STEPUP_TTL_MS))
    .executeTakeFirst();
  if (!row?.stepped_up_at || !row.stepup_action) return null;
  return { action: row.stepup_action, until: new Date(row.stepped_up_at.getTime() + STEPUP_TTL_MS) };
}
