import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { nameWithTypeExtension } from '../econsultation/attachments.ts';
import { presentEntry } from '../my-log/my-log.ts';
import * as contents from './export-contents.repository.ts';

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** A file name safe in any unzip tool: no directories, no control or odd characters. */
export function safeFileName(name: string): string {
  const cleaned = name
    .normalize('NFC')
    .replace(/[^\p{L}\p{N} ._-]/gu, '_')
    .replace(/^[.\s]+/, '')
    .slice(-100);
  return cleaned || 'fil';
}

export interface ExportAttachment {
  /** The path inside the ZIP, under attachments/. */
  path: string;
  data: Uint8Array;
}

/**
 * Everything about one person, shaped as the JSON files of the export (field names documented in
 * docs/DATA-EXPORT.md). Read in the caller's transaction; nothing of anyone else.
 */
export async function collectPersonData(db: Kysely<DB>, accountId: string) {
  const account = await contents.accountOf(db, accountId);
  if (!account) throw new Error('data export: the login does not exist');
  const person = { accountId, cpr: account.cpr };
  const [memberships, requests, threads, messages, attachmentRows, appointments, medications, renewals, log] = [
    await contents.membershipsOf(db, accountId),
    await contents.loginRequestsOf(db, account.cpr),
    await contents.threadsOf(db, accountId),
    await contents.messagesOf(db, accountId),
    await contents.attachmentsOf(db, accountId),
    await contents.appointmentsOf(db, accountId),
    await contents.medicationsOf(db, accountId),
    await contents.renewalsOf(db, accountId),
    await contents.myLogOf(db, person),
  ];

  // The id's start keeps two files of the same name apart.
  const fileOf = new Map(
    attachmentRows.map((a) => [a.id, `attachments/${a.id.slice(0, 8)}-${safeFileName(nameWithTypeExtension(a.filename, a.content_type))}`]),
  );
  const attachments: ExportAttachment[] = [];
  for (const a of attachmentRows) attachments.push({ path: fileOf.get(a.id) ?? a.id, data: await contents.attachmentData(db, a.id) });

  const files = {
    account: {
      cpr: account.cpr,
      email: account.email,
      phone: account.phone,
      createdAt: iso(account.created_at),
      activatedAt: iso(account.activated_at),
      hasPassword: account.has_password === true,
      linkedToMitid: account.has_mitid === true,
    },
    clinics: memberships.map((m) => ({
      clinic: m.clinic_name,
      record: {
        givenName: m.given_name,
        familyName: m.family_name,
        cpr: m.cpr,
        address: m.address,
        postalCode: m.postal_code,
        city: m.city,
        phone: m.phone,
        email: m.email,
      },
      rights: m.rights.filter((r) => m.offered_functions.includes(r)),
      wantsElectronicReply: m.wants_electronic_reply,
      since: iso(m.created_at),
      endedAt: iso(m.ended_at),
      endedBy: m.end_reason === 'clinic_deleted' ? ('clinic' as const) : m.end_reason === 'login_deleted' ? ('patient' as const) : null,
    })),
    loginRequests: requests.map((r) => ({
      clinic: r.clinic_name,
      receivedAt: iso(r.created_at),
      status: r.status,
      reason: r.reason,
      registryAnswer: r.registry_answer,
      identityVerified: r.identity_verified,
      name: r.name,
      birthDate: r.birth_date,
      email: r.email,
      phone: r.phone,
      handledAt: iso(r.handled_at),
      rejectionReason: r.rejection_reason,
      grantedRights: r.granted_rights,
    })),
    econsultations: threads.map((t) => ({
      clinic: t.clinic_name,
      subject: t.subject,
      status: t.status,
      startedAt: iso(t.created_at),
      lastMessageAt: iso(t.last_message_at),
      messages: messages
        .filter((m) => m.thread_id === t.id)
        .map((m) => ({
          sender: m.sender,
          staffName: m.staff_name,
          sentAt: iso(m.created_at),
          readAt: iso(m.read_at),
          text: m.body,
          attachments: attachmentRows
            .filter((a) => a.message_id === m.id)
            .map((a) => ({ filename: a.filename, contentType: a.content_type, size: a.size, file: fileOf.get(a.id) ?? null })),
        })),
    })),
    appointments: appointments.map((a) => ({
      clinic: a.clinic_name,
      startsAt: iso(a.starts_at),
      durationMinutes: a.duration_minutes,
      practitioner: a.practitioner,
      kind: a.kind,
      bookedAt: iso(a.booked_at),
      cancelledAt: iso(a.cancelled_at),
    })),
    medications: medications.map((m) => ({
      clinic: m.clinic_name,
      name: m.name,
      dosage: m.dosage,
      habitForming: m.habit_forming,
      renewableOnline: m.renewable_online,
      renewalStatus: m.last_status ?? null,
      renewalNote: m.last_note ?? null,
    })),
    renewals: renewals.map((r) => ({
      clinic: r.clinic_name,
      medication: r.medication,
      dosage: r.dosage,
      status: r.status,
      note: r.note,
      requestedAt: iso(r.requested_at),
      handledAt: iso(r.handled_at),
    })),
    myLog: log.map((row) => {
      const entry = presentEntry(row);
      return { at: entry.at, clinic: entry.clinic, kind: entry.kind, who: entry.who, text: entry.text };
    }),
  };
  return { files, attachments };
}

export type PersonData = Awaited<ReturnType<typeof collectPersonData>>;
