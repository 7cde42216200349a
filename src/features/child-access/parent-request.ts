import type { Transaction } from 'kysely';
import type { AppContext } from '../../context.ts';
import type { DB, PortalFunction } from '../../db/schema.ts';
import { AppError, errors } from '../../errors.ts';
import { audit, staffUserIdOf, type Actor } from '../audit/audit.ts';
import { CustodyUnavailable } from '../custody/custody-registry.ts';
import { enqueueMail } from '../mail/outbox.ts';
import type { PatientSession } from '../patient-auth/patient-sessions.ts';
import { parseCpr } from '../patients/cpr.ts';
import { splitName } from '../patients/names.ts';
import { childAccessErrors } from './child-access-errors.ts';
import { ageOfCpr, custodyHolders, PROXY_AGE_LIMIT, relationOf, requireMitid } from './child-access.ts';
import { insertChildAccess, liveChildAccess, updateChildAccess } from './child-access.repository.ts';
import {
  childAtClinic,
  findOrCreateChildRecord,
  insertParentRequest,
  markParentRequestApproved,
  openRequestFor,
  parentAtClinic,
  setRequestedBy,
} from './parent-request.repository.ts';

export interface ChildAccessRequest {
  clinicId: string;
  childCpr: string;
  childName: string;
}

const alreadyHasAccess = (givenName: string) =>
  new AppError(409, 'parent_access_exists', {
    da: `${givenName} har allerede forældreadgang hos klinikken. Vælg ${givenName} under "Dine børn under 15".`,
    en: `${givenName} already has parent access at the clinic. Choose ${givenName} under "Your children under 15".`,
  });

/**
 * A custody holder, logged in with MitID, asks one of their own clinics (where the clinic lets
 * parents act) for a child's Forældreadgang. Custody is asked of the custody source now; the
 * request lands in Loginbestillinger as the child's, marked as asked by this parent. Asking again
 * while a request for the child is open there (also the other parent's) answers that one.
 */
export async function requestChildAccess(ctx: AppContext, session: PatientSession, input: ChildAccessRequest, ip: string) {
  const mitid = requireMitid(session);
  const child = parseCpr(input.childCpr);
  if (!child) throw errors.validation('childCpr', { da: 'Skriv barnets CPR-nummer (DDMMÅÅ-XXXX).', en: "Enter the child's CPR number (DDMMYY-XXXX)." });
  const name = splitName(input.childName.trim());
  if (!name.given || !name.family)
    throw errors.validation('childName', { da: 'Skriv barnets for- og efternavn.', en: "Enter the child's first and last name." });
  const parent = await parentAtClinic(ctx.db, session.accountId, input.clinicId);
  if (!parent) throw errors.notFound();
  if (!parent.parents_may_act) throw childAccessErrors.clinicDoesNotAllow();
  const parentEmail = parent.email;
  // The clinic's answer is mailed to the parent.
  if (!parentEmail) throw errors.validation('email', { da: 'Tilføj din e-mail i din profil først.', en: 'Add your e-mail in your profile first.' });
  const now = ctx.clock.now();
  if (ageOfCpr(child.cpr, now) >= PROXY_AGE_LIMIT) throw childAccessErrors.notUnder15();
  if (!(await custodyHolders(ctx, child.cpr)).includes(parent.cpr)) throw childAccessErrors.custodyEnded(name.given);
  return ctx.db.transaction().execute(async (trx) => {
    const known = await childAtClinic(trx, input.clinicId, child.cpr);
    if (known?.access_id) throw alreadyHasAccess(name.given);
    const open = await openRequestFor(trx, input.clinicId, child.cpr);
    if (open) return { requestId: open.id, alreadyOpen: true };
    const created = await insertParentRequest(trx, {
      clinicId: input.clinicId,
      childCpr: child.cpr,
      childName: `${name.given} ${name.family}`,
      birthDate: child.birthDate.toISOString().slice(0, 10),
      parentEmail,
      parentAccountId: session.accountId,
      parentName: mitid.name,
      now,
    });
    await audit(trx, { type: 'patient', id: session.accountId, ip }, now, {
      action: 'child_access.requested',
      clinicId: input.clinicId,
      patientId: known?.id ?? null,
      details: {
        requestId: created.id,
        actingFor: { relation: relationOf(parent.cpr), actorAccountId: session.accountId, actorName: mitid.name, patientId: known?.id ?? null },
      },
    });
    return { requestId: created.id, alreadyOpen: false };
  });
}

/**
 * Opret of a parent's request, inside approveRequest's transaction (the request row locked): the
 * child's record (found or created without contact data), its Forældreadgang with the ticked
 * rights and the custody holders as the source names them now, the request approved, the audit
 * row and a mail to the parent who asked. No login is made for the child.
 */
export async function approveParentRequest(
  ctx: AppContext,
  trx: Transaction<DB>,
  r: { id: string; clinic_id: string; clinic_name: string; cpr: string; name: string; email: string; requested_by_account_id: string | null },
  rights: PortalFunction[],
  actor: Actor,
) {
  const now = ctx.clock.now();
  if (ageOfCpr(r.cpr, now) >= PROXY_AGE_LIMIT) throw childAccessErrors.notUnder15();
  let holders: string[];
  try {
    holders = await ctx.custody.holdersOf(r.cpr);
  } catch (error) {
    if (error instanceof CustodyUnavailable) throw childAccessErrors.custodyUnavailable();
    throw error;
  }
  const { given, family } = splitName(r.name);
  const patientId = await findOrCreateChildRecord(trx, r.clinic_id, { cpr: r.cpr, given, family });
  const live = await liveChildAccess(trx, r.clinic_id, patientId);
  const values = { rights, wantsElectronicReply: true, holders };
  const accessId = live
    ? (await updateChildAccess(trx, live.id, values), live.id)
    : (await insertChildAccess(trx, { ...values, clinicId: r.clinic_id, patientId, createdBy: staffUserIdOf(actor), now })).id;
  if (r.requested_by_account_id) await setRequestedBy(trx, accessId, r.requested_by_account_id);
  await markParentRequestApproved(trx, r.id, { handledBy: staffUserIdOf(actor), rights, patientId, now });
  await enqueueMail(
    trx,
    {
      to: r.email,
      template: 'loginRequestApproved',
      params: { clinicName: r.clinic_name, link: `${ctx.config.publicUrl}/portal/login` },
      clinicId: r.clinic_id,
    },
    now,
  );
  await audit(trx, actor, now, {
    action: 'portal.request_approved',
    clinicId: r.clinic_id,
    patientId,
    details: { requestId: r.id, rights, parentRequest: true, holders: holders.length },
  });
  return { patientId };
}
