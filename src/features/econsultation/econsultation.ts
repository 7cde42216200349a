import { sql, type Transaction } from 'kysely';
import type { AppContext } from '../../context.ts';
import type { DB } from '../../db/schema.ts';
import { AppError, errors } from '../../errors.ts';
import { audit, staffUserIdOf, type Actor } from '../audit/audit.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { actedBy, auditActing, requireRight, type PatientScope } from '../portal-functions/patient-scope.ts';
import { checkAttachments, type IncomingAttachment } from './attachments.ts';
import { ageOn } from '../mitid/claims.ts';
import { parseCpr } from '../patients/cpr.ts';

function checkBody(body: string, maxLength: number): string {
  const text = body.trim();
  if (!text) throw errors.validation('body', { da: 'Skriv en besked.', en: 'Write a message.' });
  if (text.length > maxLength) {
    throw errors.validation('body', { da: `Beskeden må højst have ${maxLength} tegn.`, en: `The message may have at most ${maxLength} characters.` });
  }
  return text;
}

async function addMessage(
  trx: Transaction<DB>,
  threadId: string,
  message: { sender: 'patient' | 'clinic'; staffUserId: string | null; body: string; attachments: ReturnType<typeof checkAttachments> },
  now: Date,
  acting: ReturnType<typeof actedBy> = { acted_by_account_id: null, acted_by_name: null, acted_by_relation: null },
) {
  const row = await trx
    .insertInto('econsultation_messages')
    .values({ thread_id: threadId, sender: message.sender, staff_user_id: message.staffUserId, body: message.body, created_at: now, ...acting })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const a of message.attachments) {
    await trx
      .insertInto('econsultation_attachments')
      .values({ message_id: row.id, filename: a.filename, content_type: a.contentType, size: a.data.length, data: a.data })
      .execute();
  }
  await trx.updateTable('econsultation_threads').set({ last_message_at: now }).where('id', '=', threadId).execute();
  return row.id;
}

/** Threads of one patient at one clinic, newest first, with how many clinic messages are unread. */
export async function patientThreads(ctx: AppContext, scope: PatientScope) {
  return ctx.db
    .selectFrom('econsultation_threads as t')
    .select(['t.id', 't.subject', 't.status', 't.created_at', 't.last_message_at'])
    .select((eb) =>
      eb
        .selectFrom('econsultation_messages as m')
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('m.thread_id', '=', 't.id')
        .where('m.sender', '=', 'clinic')
        .where('m.read_at', 'is', null)
        .as('unread'),
    )
    .where('t.clinic_id', '=', scope.clinicId)
    .where('t.patient_id', '=', scope.patientId)
    .orderBy('t.last_message_at', 'desc')
    .execute();
}

/** A patient starts at most this many e-konsultationer at a clinic per hour and per day (the clinic's inbox is not a spam target). */
export const NEW_THREADS_PER_HOUR = 5;
export const NEW_THREADS_PER_DAY = 10;

const tooManyThreads = (perDay: boolean) =>
  new AppError(429, 'econsultation_limit', {
    da: perDay
      ? `Du kan højst starte ${String(NEW_THREADS_PER_DAY)} e-konsultationer om dagen. Skriv videre i en af dem, eller ring til klinikken, hvis det haster.`
      : `Du kan højst starte ${String(NEW_THREADS_PER_HOUR)} e-konsultationer i timen. Vent lidt, eller skriv videre i en af dem. Ring til klinikken, hvis det haster.`,
    en: perDay
      ? `You can start at most ${String(NEW_THREADS_PER_DAY)} e-consultations a day. Continue in one of them, or call the clinic if it is urgent.`
      : `You can start at most ${String(NEW_THREADS_PER_HOUR)} e-consultations an hour. Wait a little, or continue in one of them. Call the clinic if it is urgent.`,
  });

export async function startThread(
  ctx: AppContext,
  scope: PatientScope,
  input: { subject: string; body: string; attachments?: IncomingAttachment[] },
  ip: string,
) {
  requireRight(scope, 'econsultation');
  const subject = input.subject.trim().slice(0, 120);
  if (!subject) throw errors.validation('subject', { da: 'Skriv en overskrift.', en: 'Write a subject.' });
  const body = checkBody(input.body, scope.econsultationMaxLength);
  const attachments = checkAttachments(input.attachments);
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    // The patient's record row is locked first, so threads started at once are counted one by one.
    await trx.selectFrom('patients').select('id').where('id', '=', scope.patientId).forUpdate().executeTakeFirstOrThrow();
    const recent = await trx
      .selectFrom('econsultation_threads')
      .select((eb) => [
        eb.fn.countAll<number>().as('day'),
        eb.fn
          .count<number>(
            eb
              .case()
              .when('created_at', '>', new Date(now.getTime() - 3_600_000))
              .then(1)
              .end(),
          )
          .as('hour'),
      ])
      .where('clinic_id', '=', scope.clinicId)
      .where('patient_id', '=', scope.patientId)
      .where('created_at', '>', new Date(now.getTime() - 24 * 3_600_000))
      .executeTakeFirstOrThrow();
    if (recent.day >= NEW_THREADS_PER_DAY) throw tooManyThreads(true);
    if (recent.hour >= NEW_THREADS_PER_HOUR) throw tooManyThreads(false);
    const thread = await trx
      .insertInto('econsultation_threads')
      .values({ clinic_id: scope.clinicId, patient_id: scope.patientId, subject, created_at: now, last_message_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    await addMessage(trx, thread.id, { sender: 'patient', staffUserId: null, body, attachments }, now, actedBy(scope));
    await audit(trx, { type: 'patient', id: scope.accountId, ip }, now, {
      action: 'econsultation.started',
      clinicId: scope.clinicId,
      patientId: scope.patientId,
      details: { threadId: thread.id, ...auditActing(scope) },
    });
    return { id: thread.id };
  });
}

async function messagesOf(ctx: AppContext, threadId: string) {
  const messages = await ctx.db
    .selectFrom('econsultation_messages as m')
    .leftJoin('staff_users as s', 's.id', 'm.staff_user_id')
    .select(['m.id', 'm.sender', 'm.body', 'm.created_at', 'm.read_at', 's.name as staff_name', 'm.acted_by_name', 'm.acted_by_relation'])
    .where('m.thread_id', '=', threadId)
    .orderBy('m.seq')
    .execute();
  const attachments = messages.length
    ? await ctx.db
        .selectFrom('econsultation_attachments')
        .select(['id', 'message_id', 'filename', 'content_type', 'size'])
        .where(
          'message_id',
          'in',
          messages.map((m) => m.id),
        )
        .execute()
    : [];
  return messages.map((m) => ({ ...m, attachments: attachments.filter((a) => a.message_id === m.id) }));
}

async function patientsThread(ctx: AppContext, scope: PatientScope, threadId: string) {
  const thread = await ctx.db
    .selectFrom('econsultation_threads')
    .select(['id', 'subject', 'status', 'created_at'])
    .where('id', '=', threadId)
    .where('clinic_id', '=', scope.clinicId)
    .where('patient_id', '=', scope.patientId)
    .executeTakeFirst();
  if (!thread) throw errors.notFound();
  return thread;
}

/**
 * Reading a thread changes nothing (a prefetch or a link preview must not mark it read); the page
 * that shows it marks it read with a POST. Reading needs no right: history stays.
 */
export async function patientThread(ctx: AppContext, scope: PatientScope, threadId: string) {
  const thread = await patientsThread(ctx, scope, threadId);
  return { ...thread, messages: await messagesOf(ctx, threadId) };
}

/** The patient has seen the thread: the clinic's messages up to now are read. */
export async function markPatientThreadRead(ctx: AppContext, scope: PatientScope, threadId: string) {
  await patientsThread(ctx, scope, threadId);
  await ctx.db
    .updateTable('econsultation_messages')
    .set({ read_at: ctx.clock.now() })
    .where('thread_id', '=', threadId)
    .where('sender', '=', 'clinic')
    .where('read_at', 'is', null)
    .execute();
}

const closed = () =>
  new AppError(409, 'thread_closed', { da: 'Tråden er lukket. Start en ny e-konsultation.', en: 'The thread is closed. Start a new e-consultation.' });

export async function patientReply(
  ctx: AppContext,
  scope: PatientScope,
  threadId: string,
  input: { body: string; attachments?: IncomingAttachment[] },
  ip: string,
) {
  requireRight(scope, 'econsultation');
  const body = checkBody(input.body, scope.econsultationMaxLength);
  const attachments = checkAttachments(input.attachments);
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const thread = await trx
      .selectFrom('econsultation_threads')
      .select(['status'])
      .where('id', '=', threadId)
      .where('clinic_id', '=', scope.clinicId)
      .where('patient_id', '=', scope.patientId)
      .forUpdate()
      .executeTakeFirst();
    if (!thread) throw errors.notFound();
    if (thread.status === 'closed') throw closed();
    await addMessage(trx, threadId, { sender: 'patient', staffUserId: null, body, attachments }, now, actedBy(scope));
    await audit(trx, { type: 'patient', id: scope.accountId, ip }, now, {
      action: 'econsultation.patient_replied',
      clinicId: scope.clinicId,
      patientId: scope.patientId,
      details: { threadId, ...auditActing(scope) },
    });
  });
}

/** The clinic's inbox: newest activity first, with the patient and the count of unread patient messages. */
export async function clinicInbox(ctx: AppContext, clinicId: string) {
  return (
    ctx.db
      .selectFrom('econsultation_threads as t')
      .innerJoin('patients as p', 'p.id', 't.patient_id')
      .select(['t.id', 't.subject', 't.status', 't.last_message_at', 't.patient_id', 'p.given_name', 'p.family_name'])
      .select((eb) =>
        eb
          .selectFrom('econsultation_messages as m')
          .select(sql<number>`count(*)::int`.as('n'))
          .whereRef('m.thread_id', '=', 't.id')
          .where('m.sender', '=', 'patient')
          .where('m.read_at', 'is', null)
          .as('unread'),
      )
      // Who wrote the latest patient message when it was someone acting for the patient: "Mette Hansen (mor)".
      .select((eb) =>
        eb
          .selectFrom('econsultation_messages as m')
          .select(sql<string | null>`m.acted_by_name || ' (' || m.acted_by_relation || ')'`.as('label'))
          .whereRef('m.thread_id', '=', 't.id')
          .where('m.sender', '=', 'patient')
          .orderBy('m.seq', 'desc')
          .limit(1)
          .as('acted_by'),
      )
      .where('t.clinic_id', '=', clinicId)
      .orderBy('t.last_message_at', 'desc')
      .limit(200)
      .execute()
  );
}

/** A staff view of a thread is a view of patient data: audited. */
export async function clinicThread(ctx: AppContext, clinicId: string, threadId: string, actor: Actor) {
  const now = ctx.clock.now();
  const thread = await ctx.db.transaction().execute(async (trx) => {
    const found = await trx
      .selectFrom('econsultation_threads')
      .select(['id', 'subject', 'status', 'created_at', 'patient_id'])
      .where('id', '=', threadId)
      .where('clinic_id', '=', clinicId)
      .executeTakeFirst();
    if (!found) throw errors.notFound();
    await audit(trx, actor, now, { action: 'econsultation.viewed', clinicId, patientId: found.patient_id, details: { threadId } });
    return found;
  });
  return { ...thread, messages: await messagesOf(ctx, threadId) };
}

/** Staff have seen the thread (a POST from the page that shows it): the patient's messages are read. */
export async function markClinicThreadRead(ctx: AppContext, clinicId: string, threadId: string) {
  const found = await ctx.db.selectFrom('econsultation_threads').select('id').where('id', '=', threadId).where('clinic_id', '=', clinicId).executeTakeFirst();
  if (!found) throw errors.notFound();
  await ctx.db
    .updateTable('econsultation_messages')
    .set({ read_at: ctx.clock.now() })
    .where('thread_id', '=', threadId)
    .where('sender', '=', 'patient')
    .where('read_at', 'is', null)
    .execute();
}

/**
 * A child (under 15, no login of its own) is notified through the custody holder who last wrote in
 * the thread for the child, when the child's access wants electronic answers. Still a notice only,
 * and only while that person may still act for the child: the child is under 15 today and the
 * custody source names them now (a parent who lost custody, or a child who turned 15, gets no more
 * notices). A custody source that cannot answer sends no notice; the answer is in the portal.
 */
async function parentToNotify(ctx: AppContext, trx: Transaction<DB>, clinicId: string, patientId: string, threadId: string) {
  const access = await trx
    .selectFrom('child_access as ca')
    .innerJoin('patients as p', 'p.id', 'ca.patient_id')
    .select(['ca.wants_electronic_reply', 'p.cpr'])
    .where('ca.clinic_id', '=', clinicId)
    .where('ca.patient_id', '=', patientId)
    .where('ca.ended_at', 'is', null)
    .executeTakeFirst();
  if (!access) return undefined;
  const birth = parseCpr(access.cpr)?.birthDate.toISOString().slice(0, 10);
  if (!birth || ageOn(birth, ctx.clock.now()) >= 15) return undefined;
  const parent = await trx
    .selectFrom('econsultation_messages as m')
    .innerJoin('patient_accounts as a', 'a.id', 'm.acted_by_account_id')
    .select(['a.email', 'a.cpr'])
    .where('m.thread_id', '=', threadId)
    .where('a.deleted_at', 'is', null)
    .orderBy('m.seq', 'desc')
    .executeTakeFirst();
  if (!parent) return undefined;
  const holders = await ctx.custody.holdersOf(access.cpr).catch(() => [] as string[]);
  if (!holders.includes(parent.cpr)) return undefined;
  return { wants_electronic_reply: access.wants_electronic_reply, email: parent.email };
}

/**
 * The clinic answers. When the patient wants electronic answers, a notice is mailed: never the
 * content, only that there is an answer to read in the portal.
 */
export async function clinicReply(ctx: AppContext, clinicId: string, threadId: string, body: string, actor: Actor) {
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const thread = await trx
      .selectFrom('econsultation_threads as t')
      .innerJoin('clinics as c', 'c.id', 't.clinic_id')
      .select(['t.status', 't.patient_id', 'c.name as clinic_name', 'c.econsultation_max_length'])
      .where('t.id', '=', threadId)
      .where('t.clinic_id', '=', clinicId)
      .forUpdate('t')
      .executeTakeFirst();
    if (!thread) throw errors.notFound();
    if (thread.status === 'closed') throw closed();
    const text = body.trim();
    if (!text) throw errors.validation('body', { da: 'Skriv et svar.', en: 'Write an answer.' });
    await addMessage(trx, threadId, { sender: 'clinic', staffUserId: staffUserIdOf(actor), body: text, attachments: [] }, now);
    const member = await trx
      .selectFrom('portal_memberships as m')
      .innerJoin('patient_accounts as a', 'a.id', 'm.account_id')
      .select(['m.wants_electronic_reply', 'a.email'])
      .where('m.patient_id', '=', thread.patient_id)
      .where('m.ended_at', 'is', null)
      .executeTakeFirst()
      .then((own) => own ?? parentToNotify(ctx, trx, clinicId, thread.patient_id, threadId));
    if (member?.wants_electronic_reply && member.email) {
      await enqueueMail(
        trx,
        { to: member.email, template: 'econsultationAnswered', params: { clinicName: thread.clinic_name, link: `${ctx.config.publicUrl}/portal` }, clinicId },
        now,
      );
    }
    await audit(trx, actor, now, {
      action: 'econsultation.answered',
      clinicId,
      patientId: thread.patient_id,
      details: { threadId, noticeMailed: Boolean(member?.wants_electronic_reply) },
    });
  });
}

export async function closeThread(ctx: AppContext, clinicId: string, threadId: string, actor: Actor) {
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('econsultation_threads')
      .set({ status: 'closed' })
      .where('id', '=', threadId)
      .where('clinic_id', '=', clinicId)
      .returning('patient_id')
      .executeTakeFirst();
    if (!updated) throw errors.notFound();
    await audit(trx, actor, now, { action: 'econsultation.closed', clinicId, patientId: updated.patient_id, details: { threadId } });
  });
}

/** An attachment, served only inside the scope given: the patient's own threads, or the clinic's. */
export async function attachmentFor(ctx: AppContext, attachmentId: string, scope: { clinicId: string; patientId?: string }) {
  let q = ctx.db
    .selectFrom('econsultation_attachments as a')
    .innerJoin('econsultation_messages as m', 'm.id', 'a.message_id')
    .innerJoin('econsultation_threads as t', 't.id', 'm.thread_id')
    .select(['a.filename', 'a.content_type', 'a.data', 't.patient_id'])
    .where('a.id', '=', attachmentId)
    .where('t.clinic_id', '=', scope.clinicId);
  if (scope.patientId) q = q.where('t.patient_id', '=', scope.patientId);
  const found = await q.executeTakeFirst();
  if (!found) throw errors.notFound();
  return found;
}
