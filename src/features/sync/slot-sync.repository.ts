import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';

export interface SlotValues {
  external_id: string;
  practitioner: string;
  starts_at: Date;
  duration_minutes: number;
  kind: string;
}

export interface SyncedSlot extends SlotValues {
  id: string;
  booked: boolean;
}

/**
 * The clinic's slots with these external ids, locked FOR UPDATE, and whether each has a live
 * booking. The lock matters: booking a slot inserts an appointment whose foreign key takes a KEY
 * SHARE lock on the slot, which FOR UPDATE waits for (a plain UPDATE would not), so a booking
 * either commits before this read sees it or waits until the upsert has committed. The booking
 * then re-reads the time under its own lock and refuses it if the upsert moved it (bookSlot).
 */
export async function lockSlots(trx: Kysely<DB>, clinicId: string, externalIds: string[]): Promise<SyncedSlot[]> {
  const locked = await trx
    .selectFrom('booking_slots')
    .select(['id', 'external_id', 'practitioner', 'starts_at', 'duration_minutes', 'kind'])
    .where('clinic_id', '=', clinicId)
    .where('external_id', '=', (eb) => eb.fn.any(eb.val(externalIds)))
    .forUpdate()
    .execute();
  if (locked.length === 0) return [];
  // A separate statement, so that under READ COMMITTED it sees a booking committed while we waited for the lock.
  const booked = await trx
    .selectFrom('appointments')
    .select('slot_id')
    .where(
      'slot_id',
      'in',
      locked.map((s) => s.id),
    )
    .where('cancelled_at', 'is', null)
    .execute();
  const bookedIds = new Set(booked.map((b) => b.slot_id));
  return locked.map((s) => ({ ...s, external_id: s.external_id ?? '', booked: bookedIds.has(s.id) }));
}

export async function insertSlot(trx: Kysely<DB>, clinicId: string, values: SlotValues, now: Date): Promise<string> {
  const row = await trx
    .insertInto('booking_slots')
    .values({ clinic_id: clinicId, created_at: now, ...values })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateSlot(trx: Kysely<DB>, clinicId: string, id: string, values: SlotValues): Promise<void> {
  await trx.updateTable('booking_slots').set(values).where('id', '=', id).where('clinic_id', '=', clinicId).executeTakeFirstOrThrow();
}
