import type { AppContext } from '../../context.ts';
import type { LoginRequestReason } from '../../db/schema.ts';
import { hashToken } from '../auth/tokens.ts';

/** How long after a MitID login the login page may show the person's waiting requests. */
const WAITING_TTL_MS = 10 * 60_000;

/**
 * A MitID login of a person who has no login yet: their open requests (one per clinic). Called
 * from the callback; the ids are kept on the used flow row, bound to the flow's browser cookie.
 */
export async function rememberWaitingRequests(ctx: AppContext, flowId: string, cpr: string): Promise<boolean> {
  const open = await ctx.db.selectFrom('login_requests').select('id').where('cpr', '=', cpr).where('status', '=', 'open').execute();
  if (open.length === 0) return false;
  await ctx.db
    .updateTable('mitid_flows')
    .set({ waiting_request_ids: open.map((r) => r.id) })
    .where('id', '=', flowId)
    .execute();
  return true;
}

/** Why a request was not approved at once, when that is the person's own business to know. */
const REASONS_TO_TELL = ['manual_clinic', 'not_own_doctor', 'registry_unavailable', 'no_mitid_clinic'] as const;
type ReasonToTell = (typeof REASONS_TO_TELL)[number];
const toTell = (reason: LoginRequestReason): reason is ReasonToTell => (REASONS_TO_TELL as readonly string[]).includes(reason);

/** The requests that still wait, for the browser holding the flow cookie. */
export async function waitingRequests(ctx: AppContext, browserToken: string | undefined) {
  if (!browserToken) return [];
  const now = ctx.clock.now();
  const flow = await ctx.db
    .selectFrom('mitid_flows')
    .select('waiting_request_ids')
    .where('browser_hash', '=', hashToken(browserToken))
    .where('purpose', '=', 'login')
    .where('used_at', '>', new Date(now.getTime() - WAITING_TTL_MS))
    .where('waiting_request_ids', 'is not', null)
    .orderBy('used_at', 'desc')
    .executeTakeFirst();
  const ids = flow?.waiting_request_ids ?? [];
  if (ids.length === 0) return [];
  const rows = await ctx.db
    .selectFrom('login_requests as r')
    .innerJoin('clinics as c', 'c.id', 'r.clinic_id')
    .select(['c.name as clinic_name', 'r.created_at', 'r.reason'])
    .where('r.id', 'in', ids)
    .where('r.status', '=', 'open')
    .orderBy('r.created_at')
    .execute();
  return rows.map((r) => ({
    clinicName: r.clinic_name,
    since: r.created_at,
    reason: toTell(r.reason) ? r.reason : null,
  }));
}
