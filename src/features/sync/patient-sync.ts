import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import type { Actor } from '../audit/audit.ts';
import { parseCpr } from '../patients/cpr.ts';
import { inLineOrder, lineError, onlyResult, syncLines, type Line, type LineDone, type LineError, type LineRules } from './sync-lines.ts';
import { insertPatients, lockMatching, updatePatients, type PatientValues, type SyncedPatient } from './patient-sync.repository.ts';

const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength });
const Optional = (maxLength: number) => Type.Optional(Type.Union([Type.String({ maxLength }), Type.Null()]));

/** One patient as the clinic system sends it; the CPR travels in the body, never in a URL. */
export const PatientInput = Type.Object(
  {
    externalId: Text(200),
    cpr: Type.String({ maxLength: 11, description: 'DDMMYY-SSSS or DDMMYYSSSS' }),
    givenName: Text(200),
    familyName: Text(200),
    address: Optional(300),
    postalCode: Optional(20),
    city: Optional(100),
    phone: Optional(40),
    email: Optional(254),
  },
  { additionalProperties: false },
);
export type PatientInput = Static<typeof PatientInput>;
const checkInput = TypeCompiler.Compile(PatientInput);

export type PatientLineResult = (LineDone & { patientId: string }) | LineError;

const BATCH = 1_000;

const blank = (v: string | null | undefined) => (v === undefined || v === null || v.trim() === '' ? null : v.trim());

/** The patient's own rules on a line that passed the schema; never echoes a CPR number in a problem. */
function toValues(input: PatientInput, line: number): PatientValues | LineError {
  const cpr = parseCpr(input.cpr);
  if (!cpr) {
    const message = { da: 'cpr er ikke et gyldigt CPR-nummer (DDMMÅÅ-SSSS).', en: 'cpr is not a valid CPR number (DDMMYY-SSSS).' };
    return lineError(line, input.externalId, 'validation_failed', message, 'cpr');
  }
  const email = blank(input.email);
  if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    return lineError(line, input.externalId, 'validation_failed', { da: 'email er ikke en e-mailadresse.', en: 'email is not an e-mail address.' }, 'email');
  }
  return {
    external_id: input.externalId.trim(),
    cpr: cpr.cpr,
    given_name: input.givenName.trim(),
    family_name: input.familyName.trim(),
    address: blank(input.address),
    postal_code: blank(input.postalCode),
    city: blank(input.city),
    phone: blank(input.phone),
    email,
  };
}

const rules: LineRules<typeof PatientInput, PatientValues> = {
  check: checkInput,
  toValues,
  keysOf: (v) => [v.external_id, v.cpr],
  keysLabel: { da: 'externalId eller CPR-nummer', en: 'externalId or CPR number' },
};

const FIELDS = ['external_id', 'cpr', 'given_name', 'family_name', 'address', 'postal_code', 'city', 'phone', 'email'] as const;
const same = (row: SyncedPatient, values: PatientValues) => FIELDS.every((f) => row[f] === values[f]);

/**
 * Upserts one batch in one transaction: the matching rows are locked, each line is decided
 * (created, updated, unchanged or an error of that line alone), then one INSERT and one UPDATE
 * write the batch, each with an audit row per written patient.
 */
async function upsertBatch(trx: Kysely<DB>, clinicId: string, lines: Line<PatientValues>[], actor: Actor, now: Date): Promise<PatientLineResult[]> {
  const existing = await lockMatching(
    trx,
    clinicId,
    lines.map((l) => l.values.external_id),
    lines.map((l) => l.values.cpr),
  );
  const byExternal = new Map(existing.filter((p) => p.external_id !== null).map((p) => [p.external_id, p]));
  const byCpr = new Map(existing.map((p) => [p.cpr, p]));
  const results: PatientLineResult[] = [];
  const inserts: Line<PatientValues>[] = [];
  const updates: (PatientValues & { id: string })[] = [];
  const updateResults: PatientLineResult[] = [];
  for (const { line, values } of lines) {
    const externalId = values.external_id;
    const current = byExternal.get(externalId);
    const holder = byCpr.get(values.cpr);
    if (current) {
      if (same(current, values)) {
        results.push({ line, externalId, result: 'unchanged', patientId: current.id });
        continue;
      }
      if (holder && holder.id !== current.id) {
        results.push(
          lineError(
            line,
            externalId,
            'cpr_taken',
            { da: 'En anden patient i klinikken har dette CPR-nummer.', en: 'Another patient of the clinic has this CPR number.' },
            'cpr',
          ),
        );
        continue;
      }
      if (current.cpr !== values.cpr && current.has_portal_access) {
        results.push(
          lineError(
            line,
            externalId,
            'cpr_locked',
            {
              da: 'CPR-nummeret på en patient med portaladgang kan ikke ændres; slet adgangen først.',
              en: 'The CPR number of a patient with portal access cannot change; end the access (Slet) first.',
            },
            'cpr',
          ),
        );
        continue;
      }
      updates.push({ ...values, id: current.id });
      updateResults.push({ line, externalId, result: 'updated', patientId: current.id });
    } else if (holder) {
      if (holder.external_id !== null) {
        results.push(
          lineError(
            line,
            externalId,
            'cpr_taken',
            {
              da: 'En anden patient i klinikken (andet externalId) har dette CPR-nummer.',
              en: 'Another patient of the clinic (another externalId) has this CPR number.',
            },
            'cpr',
          ),
        );
        continue;
      }
      // A patient the portal knew before the clinic system did (CSV import, registration): link it.
      updates.push({ ...values, id: holder.id });
      updateResults.push({ line, externalId, result: 'updated', patientId: holder.id });
    } else {
      inserts.push({ line, values });
    }
  }
  // The audit rows (one per written patient) are written by the same statements as the patients.
  await updatePatients(trx, clinicId, updates, { actor, now });
  const ids = await insertPatients(
    trx,
    clinicId,
    inserts.map((i) => i.values),
    { actor, now },
  );
  const created: PatientLineResult[] = inserts.map((i, index) => ({
    line: i.line,
    externalId: i.values.external_id,
    result: 'created',
    patientId: ids[index] ?? '',
  }));
  const written = [...updateResults, ...created];
  return inLineOrder(results, written);
}

/**
 * Upserts patients by the clinic system's id. Each line is all-or-nothing: lines are written in
 * batches for speed, and only the lines that really conflict with a concurrent writer fail.
 */
export async function upsertPatients(db: Database, clinicId: string, raw: unknown[], actor: Actor, now: Date): Promise<PatientLineResult[]> {
  return syncLines(db, raw, rules, BATCH, (trx, batch) => upsertBatch(trx, clinicId, batch, actor, now));
}

/** The single form: the line's error becomes the request's error. */
export async function upsertPatient(db: Database, clinicId: string, input: unknown, actor: Actor, now: Date) {
  return onlyResult(await upsertPatients(db, clinicId, [input], actor, now));
}
