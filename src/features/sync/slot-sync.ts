import type { Kysely } from 'kysely';
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { Database } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { audit, type Actor } from '../audit/audit.ts';
import { lineError, syncLines, type Line, type LineDone, type LineError, type LineRules } from './sync-lines.ts';
import { insertSlot, lockSlots, updateSlot, type SlotValues } from './slot-sync.repository.ts';

const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength });

/** One bookable time as the clinic system keeps it (the same fields as a time published in the portal). */
export const SlotInput = Type.Object(
  {
    externalId: Text(200),
    practitioner: Text(100),
    startsAt: Type.String({ maxLength: 40, description: 'ISO 8601 date and time with offset, e.g. 2026-05-04T08:30:00+02:00' }),
    durationMinutes: Type.Integer({ minimum: 5, maximum: 240 }),
    kind: Text(100),
  },
  { additionalProperties: false },
);
type SlotInput = Static<typeof SlotInput>;

export type SlotLineResult = (LineDone & { slotId: string }) | LineError;

// A date and time with an offset (Z or ±hh:mm), as format date-time has it; Date.parse alone accepts far more.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

function toValues(input: SlotInput, line: number): SlotValues | LineError {
  const startsAt = new Date(input.startsAt);
  if (!DATE_TIME.test(input.startsAt) || Number.isNaN(startsAt.getTime())) {
    const message = { da: 'startsAt er ikke et tidspunkt (ISO 8601 med tidszone).', en: 'startsAt is not a date and time (ISO 8601 with offset).' };
    return lineError(line, input.externalId, 'validation_failed', message, 'startsAt');
  }
  return {
    external_id: input.externalId.trim(),
    practitioner: input.practitioner.trim(),
    starts_at: startsAt,
    duration_minutes: input.durationMinutes,
    kind: input.kind.trim(),
  };
}

const rules: LineRules<typeof SlotInput, SlotValues> = {
  check: TypeCompiler.Compile(SlotInput),
  toValues,
  keysOf: (v) => [v.external_id],
  keysLabel: { da: 'externalId', en: 'externalId' },
};

const same = (a: SlotValues, b: SlotValues) =>
  a.practitioner === b.practitioner && a.starts_at.getTime() === b.starts_at.getTime() && a.duration_minutes === b.duration_minutes && a.kind === b.kind;

async function upsertBatch(trx: Kysely<DB>, clinicId: string, lines: Line<SlotValues>[], actor: Actor, now: Date): Promise<SlotLineResult[]> {
  const existing = new Map(
    (
      await lockSlots(
        trx,
        clinicId,
        lines.map((l) => l.values.external_id),
      )
    ).map((s) => [s.external_id, s]),
  );
  const results: SlotLineResult[] = [];
  for (const { line, values } of lines) {
    const externalId = values.external_id;
    const current = existing.get(externalId);
    // An unchanged time stays unchanged even once it has passed; only a new or changed time must lie ahead.
    if (current && same(current, values)) {
      results.push({ line, externalId, result: 'unchanged', slotId: current.id });
      continue;
    }
    if (current?.booked) {
      // A patient holds this time: moving or changing it silently would leave them at the wrong time.
      const message = {
        da: 'Tiden er booket af en patient og kan ikke ændres her; aflys eller flyt aftalen i klinikken først.',
        en: 'A patient has booked this time, so it cannot change here; cancel or move the appointment at the clinic first.',
      };
      results.push(lineError(line, externalId, 'slot_booked', message, 'externalId'));
      continue;
    }
    if (values.starts_at <= now) {
      const message = { da: 'Tiden skal ligge i fremtiden.', en: 'The time must be in the future.' };
      results.push(lineError(line, externalId, 'validation_failed', message, 'startsAt'));
      continue;
    }
    if (current) {
      await updateSlot(trx, clinicId, current.id, values);
      await audit(trx, actor, now, { action: 'booking.slot_updated', clinicId, details: { slotId: current.id, externalId } });
      results.push({ line, externalId, result: 'updated', slotId: current.id });
    } else {
      const slotId = await insertSlot(trx, clinicId, values, now);
      await audit(trx, actor, now, { action: 'booking.slot_published', clinicId, details: { slotId, externalId } });
      results.push({ line, externalId, result: 'created', slotId });
    }
  }
  return results;
}

/** Upserts bookable times by the clinic system's id, each line all-or-nothing; a booked time is never changed (409 slot_booked). */
export async function upsertSlots(db: Database, clinicId: string, raw: unknown[], actor: Actor, now: Date): Promise<SlotLineResult[]> {
  return syncLines(db, raw, rules, 500, (trx, batch) => upsertBatch(trx, clinicId, batch, actor, now));
}
