import type { Kysely } from 'kysely';
import type { AppContext } from '../../context.ts';
import type { DB, PortalFunction } from '../../db/schema.ts';
import { errors } from '../../errors.ts';
import { audit, type Actor } from '../audit/audit.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { ACCEPTED_LOA, ageOn } from '../mitid/claims.ts';
import { consumeStepUp } from '../mitid/mitid-stepup.ts';
import type { PatientSession } from '../patient-auth/patient-sessions.ts';
import { parseCpr } from '../patients/cpr.ts';
import { PORTAL_FUNCTIONS } from '../portal-access/rights.ts';
import { fuldmagtErrors } from './fuldmagt-errors.ts';
import { defaultUntil, untilAllowed } from './fuldmagt-dates.ts';
import { accountByCpr, accountOf, giverClinics, giverRecords, insertDraft, transition } from './fuldmagt.repository.ts';

/** Giving, receiving and using a fuldmagt all need a MitID login at Substantial or High. */
export function requireMitid(session: PatientSession): { loa: string; name: string } {
  if (!session.mitid || !ACCEPTED_LOA.includes(session.mitid.loa)) throw fuldmagtErrors.mitidRequired();
  return session.mitid;
}

export async function ownAccount(ctx: AppContext, session: PatientSession) {
  const account = await accountOf(ctx.db, session.accountId);
  if (!account) throw errors.unauthenticated();
  return account;
}

export interface FuldmagtInput {
  receiverCpr: string;
  receiverName: string;
  clinicIds: string[];
  functions: PortalFunction[];
  until?: string | undefined;
}

/**
 * The giver's draft: checked here, offered to the receiver only once the giver confirms it with a
 * MitID step-up (confirmFuldmagt). The receiver is not looked up, so the answer does not tell the
 * giver whether the person has a login.
 */
export async function draftFuldmagt(ctx: AppContext, session: PatientSession, input: FuldmagtInput, ip: string) {
  const mitid = requireMitid(session);
  const now = ctx.clock.now();
  const receiver = parseCpr(input.receiverCpr);
  if (!receiver) throw errors.validation('receiverCpr', { da: 'Skriv et gyldigt CPR-nummer.', en: 'Enter a valid CPR number.' });
  if (ageOn(receiver.birthDate.toISOString().slice(0, 10), now) < 18) throw fuldmagtErrors.notAdult();
  const giver = await ownAccount(ctx, session);
  if (giver.cpr === receiver.cpr) throw fuldmagtErrors.toYourself();
  const until = input.until ?? defaultUntil(now);
  if (!untilAllowed(until, now)) throw fuldmagtErrors.badUntil();
  const mine = new Set((await giverClinics(ctx.db, session.accountId)).map((c) => c.id));
  if (!input.clinicIds.every((id) => mine.has(id))) throw fuldmagtErrors.notYourClinic();
  const functions = PORTAL_FUNCTIONS.filter((f) => input.functions.includes(f));
  return ctx.db.transaction().execute(async (trx) => {
    const { id } = await insertDraft(trx, {
      giverAccountId: session.accountId,
      giverName: mitid.name,
      receiverCpr: receiver.cpr,
      receiverName: input.receiverName.trim(),
      clinicIds: [...new Set(input.clinicIds)],
      functions,
      validUntil: until,
      now,
    });
    await audit(trx, { type: 'patient', id: session.accountId, ip }, now, { action: 'fuldmagt.drafted', details: { fuldmagtId: id } });
    return { id, validUntil: until };
  });
}

const portalLink = (ctx: AppContext) => `${ctx.config.publicUrl}/portal/profile`;

/** Rows in the giver's records at each clinic of the fuldmagt, so the giver's Min log shows what the receiver did. */
async function auditForGiver(
  trx: Kysely<DB>,
  actor: Actor,
  now: Date,
  action: string,
  fuldmagt: { id: string; giver_account_id: string; clinic_ids: string[] },
  actorName: string,
) {
  for (const record of await giverRecords(trx, fuldmagt.giver_account_id, fuldmagt.clinic_ids)) {
    await audit(trx, actor, now, {
      action,
      clinicId: record.clinic_id,
      patientId: record.patient_id,
      details: { fuldmagtId: fuldmagt.id, actingFor: { relation: 'fuldmagt', actorAccountId: actor.id, actorName, patientId: record.patient_id } },
    });
  }
}

/** The giver confirms a draft with the MitID step-up this session holds; the offer and both mails commit together. */
export async function confirmFuldmagt(ctx: AppContext, session: PatientSession, id: string, ip: string) {
  requireMitid(session);
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const offered = await transition(trx, { id, giverAccountId: session.accountId }, ['draft'], { status: 'offered', offered_at: now });
    if (!offered) throw errors.notFound();
    if (!(await consumeStepUp(trx, session.id, 'give_fuldmagt', now))) throw fuldmagtErrors.confirmWithMitid();
    const giver = await accountOf(trx, session.accountId);
    const receiver = await accountByCpr(trx, offered.receiver_cpr);
    const link = portalLink(ctx);
    if (giver?.email)
      await enqueueMail(
        trx,
        { to: giver.email, template: 'fuldmagtGiven', params: { receiverName: offered.receiver_name, until: offered.valid_until, link } },
        now,
      );
    if (receiver?.email)
      await enqueueMail(
        trx,
        { to: receiver.email, template: 'fuldmagtOffered', params: { giverName: offered.giver_name, until: offered.valid_until, link } },
        now,
      );
    await audit(trx, { type: 'patient', id: session.accountId, ip }, now, {
      action: 'fuldmagt.given',
      details: { fuldmagtId: id, clinicIds: offered.clinic_ids, functions: offered.functions, validUntil: offered.valid_until },
    });
  });
}

type Ending = 'revoked' | 'declined' | 'given_up';

async function mailBoth(
  ctx: AppContext,
  trx: Kysely<DB>,
  f: { giver_account_id: string; receiver_cpr: string; giver_name: string; receiver_name: string },
  mail: (to: string) => Promise<void>,
) {
  const giver = await accountOf(trx, f.giver_account_id);
  const receiver = await accountByCpr(trx, f.receiver_cpr);
  for (const email of new Set([giver?.email, receiver?.email])) if (email) await mail(email);
}

/** The receiver (logged in with MitID, matched by CPR number) accepts an offer. */
export async function acceptFuldmagt(ctx: AppContext, session: PatientSession, id: string, ip: string) {
  const mitid = requireMitid(session);
  const me = await ownAccount(ctx, session);
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const accepted = await transition(trx, { id, receiverCpr: me.cpr }, ['offered'], { status: 'accepted', accepted_at: now, receiver_account_id: me.id });
    if (!accepted) throw errors.notFound();
    const link = portalLink(ctx);
    await mailBoth(ctx, trx, accepted, (to) =>
      enqueueMail(trx, { to, template: 'fuldmagtAccepted', params: { giverName: accepted.giver_name, receiverName: mitid.name, link } }, now),
    );
    await auditForGiver(trx, { type: 'patient', id: me.id, ip }, now, 'fuldmagt.accepted', accepted, mitid.name);
  });
}

/** Ends a fuldmagt: the giver revokes it, or the receiver declines the offer or gives up an accepted one. */
export async function endFuldmagt(ctx: AppContext, session: PatientSession, id: string, by: 'giver' | 'receiver', ip: string) {
  const now = ctx.clock.now();
  const actor: Actor = { type: 'patient', id: session.accountId, ip };
  await ctx.db.transaction().execute(async (trx) => {
    let ended: Awaited<ReturnType<typeof transition>>;
    let how: Ending;
    if (by === 'giver') {
      how = 'revoked';
      // A draft was never offered: nobody to tell.
      if (await transition(trx, { id, giverAccountId: session.accountId }, ['draft'], { status: how, ended_at: now })) return;
      ended = await transition(trx, { id, giverAccountId: session.accountId }, ['offered', 'accepted'], { status: how, ended_at: now });
    } else {
      requireMitid(session);
      const me = await ownAccount(ctx, session);
      ended = await transition(trx, { id, receiverCpr: me.cpr }, ['offered'], { status: 'declined', ended_at: now });
      how = 'declined';
      if (!ended) {
        ended = await transition(trx, { id, receiverCpr: me.cpr }, ['accepted'], { status: 'given_up', ended_at: now });
        how = 'given_up';
      }
    }
    if (!ended) throw errors.notFound();
    const f = ended;
    const link = portalLink(ctx);
    await mailBoth(ctx, trx, f, (to) =>
      enqueueMail(trx, { to, template: 'fuldmagtEnded', params: { giverName: f.giver_name, receiverName: f.receiver_name, how, link } }, now),
    );
    if (by === 'giver') await audit(trx, actor, now, { action: 'fuldmagt.revoked', details: { fuldmagtId: id } });
    else await auditForGiver(trx, actor, now, `fuldmagt.${how}`, { ...f, id }, session.mitid?.name ?? f.receiver_name);
  });
}
