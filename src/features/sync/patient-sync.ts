import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { Database } from '../../db/database.ts';
import { AppError, type Messages } from '../../errors.ts';
import type { Actor } from '../audit/audit.ts';
import { parseCpr } from '../patients/cpr.ts';
import { firstBadText } from '../../http/text-input.ts';
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

export type LineResult =
  | { line: number; externalId: string | null; result: 'created' | 'updated' | 'unchanged'; patientId: string }
  | { line: number; externalId: string | null; result: 'error'; error: { code: string; message: Messages; field?: string } };

/** The most lines one request may carry. */
export const MAX_LINES = 10_000;
const BATCH = 1_000;

const lineError = (line: number, externalId: string | null, code: string, message: Messages, field?: string): LineResult => ({
  line,
  externalId,
  result: 'error',
  error: { code, message, ...(field ? { field } : {}) },
});

const blank = (v: string | null | undefined) => (v === undefined || v === null || v.trim() === '' ? null : v.trim());

/** Stands for an NDJSON line that is not JSON. */
export const UNPARSABLE = Symbol('unparsable');

/** Checks one line; never echoes a CPR number in a problem. */
function validate(raw: unknown, line: number): { values: PatientValues } | { error: LineResult } {
  if (raw === UNPARSABLE)
    return { error: lineError(line, null, 'validation_failed', { da: 'Linjen er ikke gyldig JSON.', en: 'The line is not valid JSON.' }) };
  const externalId =
    typeof raw === 'object' && raw !== null && typeof (raw as { externalId?: unknown }).externalId === 'string'
      ? (raw as { externalId: string }).externalId
      : null;
  if (!checkInput.Check(raw)) {
    const first = checkInput.Errors(raw).First();
    const field = first?.path.replace(/^\//, '').replace(/\//g, '.') || 'line';
    return {
      error: lineError(
        line,
        externalId,
        'validation_failed',
        { da: `Feltet "${field}" er ugyldigt eller mangler.`, en: `The field "${field}" is invalid or missing.` },
        field,
      ),
    };
  }
  const bad = firstBadText(raw, '');
  if (bad !== undefined)
    return {
      error: lineError(
        line,
        externalId,
        'validation_failed',
        { da: `Feltet "${bad}" indeholder tegn, der ikke er tilladt.`, en: `The field "${bad}" holds characters that are not allowed.` },
        bad,
      ),
    };
  const cpr = parseCpr(raw.cpr);
  if (!cpr)
    return {
      error: lineError(
        line,
        externalId,
        'validation_failed',
        { da: 'cpr er ikke et gyldigt CPR-nummer (DDMMÅÅ-SSSS).', en: 'cpr is not a valid CPR number (DDMMYY-SSSS).' },
        'cpr',
      ),
    };
  const email = blank(raw.email);
  if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
    return {
      error: lineError(line, externalId, 'validation_failed', { da: 'email er ikke en e-mailadresse.', en: 'email is not an e-mail address.' }, 'email'),
    };
  return {
    values: {
      external_id: raw.externalId.trim(),
      cpr: cpr.cpr,
      given_name: raw.givenName.trim(),
      family_name: raw.familyName.trim(),
      address: blank(raw.address),
      postal_code: blank(raw.postalCode),
      city: blank(raw.city),
      phone: blank(raw.phone),
      email,
    },
  };
}

const FIELDS = ['external_id', 'cpr', 'given_name', 'family_name', 'address', 'postal_code', 'city', 'phone', 'email'] as const;
const same = (row: SyncedPatient, values: PatientValues) => FIELDS.every((f) => row[f] === values[f]);

interface Line {
  line: number;
  values: PatientValues;
}

/**
 * Upserts one batch in one transaction: the matching rows are locked, each line is decided
 * (created, updated, unchanged or an error of that line alone), then one INSERT and one UPDATE
 * write the batch, each with an audit row per written patient.
 */
async function upsertBatch(db: Database, clinicId: string, lines: Line[], actor: Actor, now: Date): Promise<LineResult[]> {
  return db.transaction().execute(async (trx) => {
    const existing = await lockMatching(
      trx,
      clinicId,
      lines.map((l) => l.values.external_id),
      lines.map((l) => l.values.cpr),
    );
    const byExternal = new Map(existing.filter((p) => p.external_id !== null).map((p) => [p.external_id, p]));
    const byCpr = new Map(existing.map((p) => [p.cpr, p]));
    const results: LineResult[] = [];
    const inserts: Line[] = [];
    const updates: (PatientValues & { id: string })[] = [];
    const updateResults: LineResult[] = [];
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
    const created: LineResult[] = inserts.map((i, index) => ({
      line: i.line,
      externalId: i.values.external_id,
      result: 'created',
      patientId: ids[index] ?? '',
    }));
    const written = [...updateResults, ...created];
    return [...results, ...written].sort((a, b) => a.line - b.line);
  });
}

const isRetryable = (error: unknown) =>
  typeof error === 'object' && error !== null && ['23505', '40001', '40P01'].includes(String((error as { code?: unknown }).code));

/**
 * Upserts patients by the clinic system's id. Each line is all-or-nothing: lines are written in
 * batches for speed, and a batch the database refuses (a concurrent writer took an id or CPR)
 * is redone one line per transaction, so only the lines that really conflict fail.
 */
export async function upsertPatients(db: Database, clinicId: string, raw: unknown[], actor: Actor, now: Date): Promise<LineResult[]> {
  const results: LineResult[] = [];
  const valid: Line[] = [];
  const seenExternal = new Map<string, number>();
  const seenCpr = new Map<string, number>();
  raw.forEach((item, index) => {
    const line = index + 1;
    const checked = validate(item, line);
    if ('error' in checked) {
      results.push(checked.error);
      return;
    }
    const { values } = checked;
    const earlier = seenExternal.get(values.external_id) ?? seenCpr.get(values.cpr);
    if (earlier !== undefined) {
      results.push(
        lineError(line, values.external_id, 'duplicate_line', {
          da: `Samme externalId eller CPR-nummer som linje ${earlier}.`,
          en: `Same externalId or CPR number as line ${earlier}.`,
        }),
      );
      return;
    }
    seenExternal.set(values.external_id, line);
    seenCpr.set(values.cpr, line);
    valid.push({ line, values });
  });
  for (let start = 0; start < valid.length; start += BATCH) {
    const batch = valid.slice(start, start + BATCH);
    try {
      results.push(...(await upsertBatch(db, clinicId, batch, actor, now)));
    } catch (error) {
      if (!isRetryable(error)) throw error;
      for (const one of batch) {
        try {
          results.push(...(await upsertBatch(db, clinicId, [one], actor, now)));
        } catch (lineFailure) {
          if (!isRetryable(lineFailure)) throw lineFailure;
          results.push(
            lineError(one.line, one.values.external_id, 'concurrent_change', {
              da: 'Nogen ændrede samme patient i samme øjeblik; send linjen igen.',
              en: 'Someone changed the same patient at the same moment; send the line again.',
            }),
          );
        }
      }
    }
  }
  return results.sort((a, b) => a.line - b.line);
}

/** The single form: the line's error becomes the request's error. */
export async function upsertPatient(db: Database, clinicId: string, input: unknown, actor: Actor, now: Date) {
  const [result] = await upsertPatients(db, clinicId, [input], actor, now);
  if (!result) throw new Error('upsertPatient: no result');
  if (result.result === 'error') {
    const status = result.error.code === 'validation_failed' ? 400 : 409;
    throw new AppError(status, result.error.code, result.error.message, result.error.field);
  }
  return result;
}
