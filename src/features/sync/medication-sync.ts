import type { Kysely } from 'kysely';
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { Database } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { audit, type Actor } from '../audit/audit.ts';
import { lineError, syncLines, type Line, type LineDone, type LineError, type LineRules } from './sync-lines.ts';
import { findClinicPatients, insertMedication, lockMedications, updateMedication, type MedicationValues } from './medication-sync.repository.ts';

const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength });
const UUID = Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' });

/** One item of a patient's medication list as the clinic system keeps it. */
export const MedicationInput = Type.Object(
  {
    externalId: Text(200),
    patientExternalId: Type.Optional(Text(200)),
    patientId: Type.Optional(UUID),
    name: Text(200),
    dosage: Type.String({ maxLength: 200 }),
    habitForming: Type.Optional(Type.Boolean({ default: false })),
    renewableOnline: Type.Optional(Type.Boolean({ default: false, description: 'Never true for habit-forming medicine' })),
  },
  { additionalProperties: false },
);
type MedicationInput = Static<typeof MedicationInput>;

export type MedicationLineResult = (LineDone & { medicationId: string; patientId: string }) | LineError;

interface MedicationLine extends MedicationValues {
  patient: { externalId: string } | { id: string };
}

function toValues(input: MedicationInput, line: number): MedicationLine | LineError {
  const { externalId, patientExternalId, patientId } = input;
  if ((patientExternalId === undefined) === (patientId === undefined)) {
    const message = { da: 'Angiv patienten med enten patientExternalId eller patientId.', en: 'Name the patient by either patientExternalId or patientId.' };
    return lineError(line, externalId, 'validation_failed', message, 'patientExternalId');
  }
  const habitForming = input.habitForming ?? false;
  const renewableOnline = input.renewableOnline ?? false;
  if (habitForming && renewableOnline) {
    const message = { da: 'Afhængighedsskabende medicin kan aldrig fornyes online.', en: 'Habit-forming medicine can never be renewed online.' };
    return lineError(line, externalId, 'validation_failed', message, 'renewableOnline');
  }
  return {
    external_id: externalId.trim(),
    patient: patientId !== undefined ? { id: patientId.toLowerCase() } : { externalId: (patientExternalId ?? '').trim() },
    name: input.name.trim(),
    dosage: input.dosage.trim(),
    habit_forming: habitForming,
    renewable_online: renewableOnline,
  };
}

const rules: LineRules<typeof MedicationInput, MedicationLine> = {
  check: TypeCompiler.Compile(MedicationInput),
  toValues,
  keysOf: (v) => [v.external_id],
  keysLabel: { da: 'externalId', en: 'externalId' },
};

const FIELDS = ['name', 'dosage', 'habit_forming', 'renewable_online'] as const;

async function upsertBatch(trx: Kysely<DB>, clinicId: string, lines: Line<MedicationLine>[], actor: Actor, now: Date): Promise<MedicationLineResult[]> {
  const existing = new Map(
    (
      await lockMedications(
        trx,
        clinicId,
        lines.map((l) => l.values.external_id),
      )
    ).map((m) => [m.external_id, m]),
  );
  const patients = await findClinicPatients(trx, clinicId, {
    externalIds: lines.flatMap((l) => ('externalId' in l.values.patient ? [l.values.patient.externalId] : [])),
    ids: lines.flatMap((l) => ('id' in l.values.patient ? [l.values.patient.id] : [])),
  });
  const byExternal = new Map(patients.filter((p) => p.external_id !== null).map((p) => [p.external_id, p.id]));
  const byId = new Set(patients.map((p) => p.id));
  const results: MedicationLineResult[] = [];
  for (const { line, values } of lines) {
    const { patient, ...medication } = values;
    const externalId = medication.external_id;
    const patientId = 'id' in patient ? (byId.has(patient.id) ? patient.id : undefined) : byExternal.get(patient.externalId);
    if (patientId === undefined) {
      const message = { da: 'Klinikken har ingen patient med dette id.', en: 'The clinic has no patient with this id.' };
      results.push(lineError(line, externalId, 'patient_not_found', message, 'id' in patient ? 'patientId' : 'patientExternalId'));
      continue;
    }
    const current = existing.get(externalId);
    if (!current) {
      const medicationId = await insertMedication(trx, clinicId, patientId, medication, now);
      await audit(trx, actor, now, { action: 'renewal.medication_added', clinicId, patientId, details: { medicationId, externalId } });
      results.push({ line, externalId, result: 'created', medicationId, patientId });
    } else if (current.patient_id !== patientId) {
      // Its renewal requests belong to the patient it was prescribed for.
      const message = {
        da: 'Medicinen hører til en anden patient; giv den nye patients medicin sit eget externalId.',
        en: "The medication belongs to another patient; give the new patient's medication its own externalId.",
      };
      results.push(lineError(line, externalId, 'medication_patient_mismatch', message, 'externalId'));
    } else if (FIELDS.every((f) => current[f] === medication[f])) {
      results.push({ line, externalId, result: 'unchanged', medicationId: current.id, patientId });
    } else {
      await updateMedication(trx, clinicId, current.id, medication);
      await audit(trx, actor, now, { action: 'renewal.medication_updated', clinicId, patientId, details: { medicationId: current.id, externalId } });
      results.push({ line, externalId, result: 'updated', medicationId: current.id, patientId });
    }
  }
  return results;
}

/**
 * Upserts medication list items by the clinic system's id, each line all-or-nothing; the patient
 * is named by its externalId or the portal's id and must be the clinic's.
 */
export async function upsertMedications(db: Database, clinicId: string, raw: unknown[], actor: Actor, now: Date): Promise<MedicationLineResult[]> {
  return syncLines(db, raw, rules, 500, (trx, batch) => upsertBatch(trx, clinicId, batch, actor, now));
}
