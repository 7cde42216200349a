import type { AppContext } from '../../context.ts';
import { audit } from '../audit/audit.ts';
import { createPatientSession } from '../patient-auth/patient-sessions.ts';
import type { MitidIdentity } from './claims.ts';

/**
 * Logs an existing patient in with MitID (no password) and ties the MitID uuid to the login.
 * Returns null when the person has no login.
 */
export async function loginWithMitid(ctx: AppContext, identity: MitidIdentity, ip: string) {
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const account = await trx
      .selectFrom('patient_accounts')
      .select(['id', 'activated_at'])
      .where('cpr', '=', identity.cpr)
      .where('deleted_at', 'is', null)
      .forUpdate()
      .executeTakeFirst();
    if (!account) return null;
    await trx
      .updateTable('patient_accounts')
      // MitID proves the person: a login still awaiting activation becomes active.
      .set({ mitid_uuid: identity.uuid, activated_at: account.activated_at ?? now })
      .where('id', '=', account.id)
      .execute();
    const session = await createPatientSession(trx, account.id, now, ctx.sessionPolicy, { loa: identity.loa, name: identity.name });
    await audit(trx, { type: 'patient', id: account.id, ip }, now, { action: 'patient.login_mitid' });
    return session;
  });
}
