import { sql, type Transaction } from 'kysely';
import type { AppContext } from '../../context.ts';
import type { DB, PortalFunction } from '../../db/schema.ts';
import { AppError, errors } from '../../errors.ts';
import { writeAsOneStatement } from '../../db/one-statement.ts';
import { audit, auditInserts, staffUserIdOf, type Actor } from '../audit/audit.ts';
import { enqueueMail, mailInsert } from '../mail/outbox.ts';
import { patientTokenInsert, retireLivePatientTokens, TOKEN_LIFETIME_MS } from '../patient-auth/patient-tokens.ts';
import { settleRecordAndLogin } from '../portal-access/accounts.ts';
import { checkRights, PORTAL_FUNCTIONS } from '../portal-access/rights.ts';
import { approveParentRequest } from '../child-access/parent-request.ts';
import {
  approveNewLoginAtOnce,
  lockRequest,
  lockRequestWithRecordAndLogin,
  isRecordCreatedMeanwhile,
  staffNameOf,
  type LockedRequest,
} from './approval.repository.ts';

export interface Handler {
  actor: Actor;
  /** The clinics the staff member works for: a request elsewhere is not found. */
  clinics: { id: string; name: string }[];
}

const clinicIdsOf = (handler: Handler) => handler.clinics.map((c) => c.id);

/** A missing request is 404; one another staff member got to first says who and when (409). */
async function checkOpen<Row extends LockedRequest>(trx: Transaction<DB>, request: Row | undefined): Promise<Row> {
  if (!request) throw errors.notFound();
  if (request.status === 'open') return request;
  const when = request.handled_at?.toISOString().replace('T', ' ').slice(0, 16) ?? '';
  // Read after the lock: the row is the winner's version now, so this names the winner.
  const who = (request.handled_by ? await staffNameOf(trx, request.handled_by) : undefined) ?? 'systemet';
  throw new AppError(409, 'already_handled', {
    da: `Anmodningen er allerede behandlet (${request.status === 'approved' ? 'oprettet' : 'afvist'}) af ${who} ${when} UTC.`,
    en: `The request was already handled (${request.status}) by ${who} at ${when} UTC.`,
  });
}

/**
 * Opret from the queue: the clinic's patient record (matched by CPR, or created), the one login
 * (linked, revived or created), the membership with the ticked rights, the request marked
 * approved, the audit row and the mail to the patient, all or nothing. A person MitID has
 * identified who has no login yet, the common case, is approved in one statement
 * (approveNewLoginAtOnce); every other request, and every refusal, in one transaction.
 */
export async function approveRequest(ctx: AppContext, requestId: string, input: { rights: PortalFunction[]; identityChecked: boolean }, handler: Handler) {
  const now = ctx.clock.now();
  // A right that is no portal function at all is refused by checkRights below, never dropped.
  if (input.rights.every((right) => PORTAL_FUNCTIONS.includes(right))) {
    try {
      const patientId = await approveNewLoginAtOnce(ctx.db, {
        requestId,
        clinics: handler.clinics,
        rights: PORTAL_FUNCTIONS.filter((f) => input.rights.includes(f)),
        actor: handler.actor,
        loginLink: `${ctx.config.publicUrl}/portal/login`,
        now,
      });
      if (patientId) return { patientId };
    } catch (error) {
      // Another transaction created the clinic's record of the person meanwhile: the statement
      // wrote nothing, and the transaction below sees that record.
      if (!isRecordCreatedMeanwhile(error)) throw error;
    }
  }
  return ctx.db.transaction().execute(async (trx) => {
    const r = await checkOpen(trx, await lockRequestWithRecordAndLogin(trx, requestId, clinicIdsOf(handler), input.identityChecked, now));
    const rights = checkRights(input.rights, r.offered_functions);
    // A parent asked for a child's Forældreadgang: the child gets access for its custody holders, not a login.
    if (r.reason === 'parent_request') return approveParentRequest(ctx, trx, r, rights, handler.actor);
    if (r.identity_verified === 'none' && !input.identityChecked) {
      throw errors.validation('identityChecked', {
        da: 'Identiteten er ikke bekræftet med MitID. Bekræft at I har kontrolleret den (fx ved fremmøde).',
        en: 'The identity is not verified by MitID. Confirm that you have checked it (e.g. in person).',
      });
    }
    // MitID has proved the person, so such a login is usable at once; otherwise it waits for activation.
    const person = { cpr: r.cpr, name: r.name, email: r.email, phone: r.phone, mitidUuid: r.identity_verified === 'mitid' ? r.mitid_uuid : null };
    const { patientId, accountId, needsActivation, email: to, created } = await settleRecordAndLogin(trx, r.clinic_id, person, r, now);
    // The login's row is locked; a login created now has no links to void.
    if (needsActivation && !created) await retireLivePatientTokens(trx, accountId, 'activation', now);
    const activation = needsActivation ? patientTokenInsert({ accountId, purpose: 'activation', clinicId: r.clinic_id }, now) : undefined;
    const mail = activation
      ? mailInsert(
          {
            to,
            template: 'patientActivation',
            params: {
              clinicName: r.clinic_name,
              link: `${ctx.config.publicUrl}/portal/activate#token=${activation.token}`,
              validDays: TOKEN_LIFETIME_MS.activation / 86_400_000,
            },
            clinicId: r.clinic_id,
          },
          now,
        )
      : mailInsert(
          { to, template: 'loginRequestApproved', params: { clinicName: r.clinic_name, link: `${ctx.config.publicUrl}/portal/login` }, clinicId: r.clinic_id },
          now,
        );
    // The rest in one statement (one round trip): the membership (a returning patient's active one
    // gets the ticked rights), the request marked approved, the link, the mail, audit row and event.
    // SQL and prepared: its shape is one of two (with or without an activation link).
    await writeAsOneStatement(
      trx,
      [
        sql`insert into portal_memberships (account_id, clinic_id, patient_id, rights, created_at) values (${accountId}, ${r.clinic_id}, ${patientId}, ${rights}, ${now})
          on conflict (account_id, clinic_id) where ended_at is null do update set rights = excluded.rights`,
        sql`update login_requests set status = 'approved', handled_at = ${now}, handled_by = ${staffUserIdOf(handler.actor)}, granted_rights = ${rights}, patient_id = ${patientId}
          where id = ${r.id}`,
        activation?.insert,
        mail,
        ...auditInserts(handler.actor, now, {
          action: 'portal.request_approved',
          clinicId: r.clinic_id,
          patientId,
          details: { requestId: r.id, rights, identityVerified: r.identity_verified },
        }),
      ],
      { prepared: true },
    );
    return { patientId };
  });
}

/** Afvis: with an optional reason, which is mailed to the patient. */
export async function rejectRequest(ctx: AppContext, requestId: string, reason: string | null, handler: Handler) {
  const now = ctx.clock.now();
  const text = reason?.trim() || null;
  await ctx.db.transaction().execute(async (trx) => {
    const r = await checkOpen(trx, await lockRequest(trx, requestId, clinicIdsOf(handler)));
    await trx
      .updateTable('login_requests')
      .set({ status: 'rejected', handled_at: now, handled_by: staffUserIdOf(handler.actor), rejection_reason: text })
      .where('id', '=', r.id)
      .execute();
    await enqueueMail(trx, { to: r.email, template: 'loginRequestRejected', params: { clinicName: r.clinic_name, reason: text }, clinicId: r.clinic_id }, now);
    await audit(trx, handler.actor, now, { action: 'login_request.rejected', clinicId: r.clinic_id, details: { requestId: r.id, withReason: text !== null } });
  });
}
