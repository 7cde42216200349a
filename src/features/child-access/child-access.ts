import type { AppContext } from '../../context.ts';
import type { ActedByRelation, PortalFunction } from '../../db/schema.ts';
import { errors } from '../../errors.ts';
import { audit, type Actor } from '../audit/audit.ts';
import { CustodyUnavailable } from '../custody/custody-registry.ts';
import { ACCEPTED_LOA, ageOn } from '../mitid/claims.ts';
import type { PatientSession } from '../patient-auth/patient-sessions.ts';
import { parseCpr } from '../patients/cpr.ts';
import type { PatientScope } from '../portal-functions/patient-scope.ts';
import { PORTAL_FUNCTIONS } from '../portal-access/rights.ts';
import { childAccessErrors } from './child-access-errors.ts';
import {
  accountCpr,
  childAccessAt,
  childAccessByHolder,
  childCprOfAccess,
  endChildAccess,
  insertChildAccess,
  liveChildAccess,
  rememberHolders,
  setActingFor,
  updateChildAccess,
} from './child-access.repository.ts';

/** From 15 the young person decides (sundhedsloven); parents act only before the 15th birthday. */
export const PROXY_AGE_LIMIT = 15;

const birthDateOf = (cpr: string) => parseCpr(cpr)?.birthDate.toISOString().slice(0, 10);
export const ageOfCpr = (cpr: string, now: Date) => {
  const birth = birthDateOf(cpr);
  return birth ? ageOn(birth, now) : Number.POSITIVE_INFINITY;
};
/** The label staff see, "(mor)" or "(far)", from the holder's CPR number (odd last digit: male). */
export const relationOf = (holderCpr: string): ActedByRelation => (Number(holderCpr.slice(-1)) % 2 === 1 ? 'far' : 'mor');

/** Asks the custody source (every time: custody can change between two requests); a failed lookup grants nothing. */
export async function custodyHolders(ctx: AppContext, childCpr: string): Promise<string[]> {
  try {
    const holders = await ctx.custody.holdersOf(childCpr);
    await rememberHolders(ctx.db, childCpr, holders);
    return holders;
  } catch (error) {
    if (error instanceof CustodyUnavailable) throw childAccessErrors.custodyUnavailable();
    throw error;
  }
}

/** Acting for a child needs a MitID login at Substantial or High, not a password. */
export function requireMitid(session: PatientSession): { loa: string; name: string } {
  if (!session.mitid || !ACCEPTED_LOA.includes(session.mitid.loa)) throw childAccessErrors.mitidRequired();
  return session.mitid;
}

async function holderCprOf(ctx: AppContext, session: PatientSession): Promise<string> {
  const account = await accountCpr(ctx.db, session.accountId);
  if (!account) throw errors.unauthenticated();
  return account.cpr;
}

/**
 * The scope of a parent acting for a child at one clinic, checked in full on every request: a
 * MitID session, the child's live access at the clinic, the child under 15 today (ctx.clock), the
 * clinic's setting, and custody as the custody source says now.
 */
export async function childScope(ctx: AppContext, session: PatientSession, childCpr: string, clinicId: string): Promise<PatientScope> {
  const mitid = requireMitid(session);
  const access = await childAccessAt(ctx.db, childCpr, clinicId);
  if (!access) throw errors.notFound();
  if (ageOfCpr(access.cpr, ctx.clock.now()) >= PROXY_AGE_LIMIT) throw childAccessErrors.turned15(access.given_name);
  if (!access.parents_may_act) throw childAccessErrors.clinicDoesNotAllow();
  const holderCpr = await holderCprOf(ctx, session);
  if (!(await custodyHolders(ctx, access.cpr)).includes(holderCpr)) throw childAccessErrors.custodyEnded(access.given_name);
  return {
    accountId: session.accountId,
    clinicId,
    patientId: access.patient_id,
    rights: access.rights.filter((r) => access.offered_functions.includes(r)),
    wantsElectronicReply: access.wants_electronic_reply,
    clinicName: access.clinic_name,
    econsultationMaxLength: access.econsultation_max_length,
    bookingMinHoursAhead: access.booking_min_hours_ahead,
    bookingMaxDaysAhead: access.booking_max_days_ahead,
    under15: true,
    actingFor: { relation: relationOf(holderCpr), actorName: mitid.name, forName: `${access.given_name} ${access.family_name}` },
  };
}

export type ChildStatus = 'available' | 'turned_15' | 'custody_unavailable';

export interface ChildOfParent {
  /** An access row of the child; the parent names it to switch (never the CPR number). */
  childId: string;
  /** Server side only, never in a response. */
  cpr: string;
  name: string;
  givenName: string;
  age: number;
  status: ChildStatus;
  clinics: { id: string; name: string; rights: PortalFunction[]; patientId: string }[];
}

/**
 * The children a MitID-logged-in parent may switch to: those the custody source names this parent
 * holder of, with live access at a clinic that allows it. Children who turned 15 stay listed with
 * why, so the parent is not left guessing; a failed lookup is listed as such and grants nothing.
 */
export async function childrenOf(ctx: AppContext, session: PatientSession): Promise<ChildOfParent[]> {
  if (!session.mitid || !ACCEPTED_LOA.includes(session.mitid.loa)) return [];
  const holderCpr = await holderCprOf(ctx, session);
  const rows = (await childAccessByHolder(ctx.db, holderCpr)).filter((r) => r.parents_may_act);
  const byChild = new Map<string, [(typeof rows)[number], ...typeof rows]>();
  for (const row of rows) {
    const known = byChild.get(row.cpr);
    if (known) known.push(row);
    else byChild.set(row.cpr, [row]);
  }
  const now = ctx.clock.now();
  const children: ChildOfParent[] = [];
  for (const [cpr, accesses] of byChild) {
    const [first] = accesses;
    const age = ageOfCpr(cpr, now);
    let status: ChildStatus = age >= PROXY_AGE_LIMIT ? 'turned_15' : 'available';
    if (status === 'available') {
      try {
        if (!(await custodyHolders(ctx, cpr)).includes(holderCpr)) continue;
      } catch {
        status = 'custody_unavailable';
      }
    }
    children.push({
      childId: first.id,
      cpr,
      name: `${first.given_name} ${first.family_name}`,
      givenName: first.given_name,
      age,
      status,
      // Which clinics (possibly specialists) and rights only while the parent may act: a child who
      // turned 15 decides for themselves, and an unanswered custody lookup proves nothing.
      clinics: (status === 'available' ? accesses : []).map((a) => ({
        id: a.clinic_id,
        name: a.clinic_name,
        rights: a.rights.filter((r) => a.offered_functions.includes(r)),
        patientId: a.patient_id,
      })),
    });
  }
  return children;
}

/** Switches the session to act for a child (checked as every request will check it), or back to oneself. */
export async function switchActingFor(ctx: AppContext, session: PatientSession, childId: string | null, ip: string): Promise<void> {
  const actor: Actor = { type: 'patient', id: session.accountId, ip };
  const now = ctx.clock.now();
  if (childId === null) {
    await setActingFor(ctx.db, session.id, null);
    return;
  }
  const mitid = requireMitid(session);
  const child = await childCprOfAccess(ctx.db, childId);
  const listed = child ? (await childrenOf(ctx, session)).find((c) => c.childId === childId) : undefined;
  // A stranger naming someone else's child learns nothing: the same 404 as a made-up id.
  if (!child || !listed) throw errors.notFound();
  if (listed.status === 'turned_15') throw childAccessErrors.turned15(listed.givenName);
  if (listed.status === 'custody_unavailable') throw childAccessErrors.custodyUnavailable();
  // Who acted goes in the audit row, so the child's Min log can say "Mette Hansen (mor)".
  const relation = relationOf(await holderCprOf(ctx, session));
  await ctx.db.transaction().execute(async (trx) => {
    await setActingFor(trx, session.id, child.cpr);
    for (const clinic of listed.clinics) {
      await audit(trx, actor, now, {
        action: 'child_access.switched',
        clinicId: clinic.id,
        patientId: clinic.patientId,
        details: { actingFor: { relation, actorAccountId: session.accountId, actorName: mitid.name, patientId: clinic.patientId } },
      });
    }
  });
}

export interface ChildAccessInput {
  rights: PortalFunction[];
  wantsElectronicReply: boolean;
}

/**
 * "Forældreadgang" in the child's Patientportal form: the child's own access at the clinic, used by
 * the custody holders; no login or password is made for the child. Looks custody up now, so the
 * parents can find the child, and refuses when it cannot.
 */
export async function grantChildAccess(ctx: AppContext, clinicId: string, patientId: string, input: ChildAccessInput, actor: Actor) {
  const now = ctx.clock.now();
  const child = await ctx.db
    .selectFrom('patients as p')
    .innerJoin('clinics as c', 'c.id', 'p.clinic_id')
    .select(['p.cpr', 'c.offered_functions', 'c.specialty', 'c.parents_may_act_for_children'])
    .where('p.id', '=', patientId)
    .where('p.clinic_id', '=', clinicId)
    .executeTakeFirst();
  if (!child) throw errors.notFound();
  if (!(child.parents_may_act_for_children ?? child.specialty === 'almen_praksis')) throw childAccessErrors.clinicDoesNotAllow();
  if (ageOfCpr(child.cpr, now) >= PROXY_AGE_LIMIT) throw childAccessErrors.notUnder15();
  const holders = await custodyHolders(ctx, child.cpr);
  const rights = PORTAL_FUNCTIONS.filter((f) => input.rights.includes(f) && child.offered_functions.includes(f));
  await ctx.db.transaction().execute(async (trx) => {
    await trx.selectFrom('patients').select('id').where('id', '=', patientId).forUpdate().executeTakeFirstOrThrow();
    const live = await liveChildAccess(trx, clinicId, patientId);
    const values = { rights, wantsElectronicReply: input.wantsElectronicReply, holders };
    if (live) await updateChildAccess(trx, live.id, values);
    else await insertChildAccess(trx, { ...values, clinicId, patientId, createdBy: actor.type === 'staff' ? actor.id : null, now });
    await audit(trx, actor, now, {
      action: live ? 'child_access.changed' : 'child_access.granted',
      clinicId,
      patientId,
      details: { rights, wantsElectronicReply: input.wantsElectronicReply, holders: holders.length },
    });
  });
  return { rights, holders: holders.length };
}

export async function endChildAccessFor(ctx: AppContext, clinicId: string, patientId: string, actor: Actor) {
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const ended = await endChildAccess(trx, clinicId, patientId, now);
    if (!ended) throw errors.notFound();
    await audit(trx, actor, now, { action: 'child_access.ended', clinicId, patientId });
  });
}
