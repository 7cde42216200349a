import type { Database } from '../../db/database.ts';

/** Undeliverable mails, newest failure first (at most 200), of one clinic or of all. */
export function listFailedMails(db: Database, clinicId: string | null) {
  let q = db
    .selectFrom('outbox_mails')
    .leftJoin('clinics', 'clinics.id', 'outbox_mails.clinic_id')
    .select([
      'outbox_mails.id',
      'clinic_id',
      'clinics.name as clinic_name',
      'template',
      'to_address',
      'attempts',
      'last_error',
      'outbox_mails.created_at',
      'failed_at',
    ])
    .where('status', '=', 'failed')
    .orderBy('failed_at', 'desc')
    .limit(200);
  if (clinicId) q = q.where('clinic_id', '=', clinicId);
  return q.execute();
}
