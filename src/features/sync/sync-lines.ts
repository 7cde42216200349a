import type { Kysely } from 'kysely';
import type { TypeCheck } from '@sinclair/typebox/compiler';
import type { Static, TSchema } from '@sinclair/typebox';
import type { Database } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { AppError, type Messages } from '../../errors.ts';
import { firstBadText } from '../../http/text-input.ts';

/**
 * The line-by-line machinery every upsert by the clinic system's id shares (patients, medications,
 * bookable times): checking each line on its own, refusing repeated lines, writing in batches
 * with one line's conflict failing that line alone, and the single form's error.
 */

/** The most lines one request may carry. */
export const MAX_LINES = 10_000;

export type Outcome = 'created' | 'updated' | 'unchanged';

export interface LineProblem {
  code: string;
  message: Messages;
  field?: string;
}

export interface LineError {
  line: number;
  externalId: string | null;
  result: 'error';
  error: LineProblem;
}

/** A line's outcome as a feature writes it; the feature adds its own id key (patientId, medicationId, slotId). */
// eslint-disable-next-line @typescript-eslint/consistent-type-definitions -- a type alias, so a feature's result is assignable to a record
export type LineDone = {
  line: number;
  externalId: string;
  result: Outcome;
};

export const lineError = (line: number, externalId: string | null, code: string, message: Messages, field?: string): LineError => ({
  line,
  externalId,
  result: 'error',
  error: { code, message, ...(field ? { field } : {}) },
});

/** Stands for an NDJSON line that is not JSON. */
export const UNPARSABLE = Symbol('unparsable');

const externalIdOf = (raw: unknown): string | null =>
  typeof raw === 'object' && raw !== null && typeof (raw as { externalId?: unknown }).externalId === 'string'
    ? (raw as { externalId: string }).externalId
    : null;

/** Checks one raw line against its schema and the text rules; a problem names the field, never its value. */
export function checkLine<S extends TSchema>(check: TypeCheck<S>, raw: unknown, line: number): { input: Static<S> } | { error: LineError } {
  if (raw === UNPARSABLE)
    return { error: lineError(line, null, 'validation_failed', { da: 'Linjen er ikke gyldig JSON.', en: 'The line is not valid JSON.' }) };
  const externalId = externalIdOf(raw);
  if (!check.Check(raw)) {
    const first = check.Errors(raw).First();
    const field = first?.path.replace(/^\//, '').replace(/\//g, '.') || 'line';
    const message = { da: `Feltet "${field}" er ugyldigt eller mangler.`, en: `The field "${field}" is invalid or missing.` };
    return { error: lineError(line, externalId, 'validation_failed', message, field) };
  }
  const bad = firstBadText(raw, '');
  if (bad !== undefined) {
    const message = { da: `Feltet "${bad}" indeholder tegn, der ikke er tilladt.`, en: `The field "${bad}" holds characters that are not allowed.` };
    return { error: lineError(line, externalId, 'validation_failed', message, bad) };
  }
  return { input: raw };
}

export interface Line<V> {
  line: number;
  values: V;
}

export interface LineRules<S extends TSchema, V> {
  check: TypeCheck<S>;
  /** The feature's own rules on a line that passed the schema: its values, or the line's error. */
  toValues: (input: Static<S>, line: number) => V | LineError;
  /** Keys no two lines of one request may share (the externalId, and for patients the CPR number). */
  keysOf: (values: V) => string[];
  /** Names the keys in the error of a repeated line. */
  keysLabel: Messages;
}

const isLineError = (value: unknown): value is LineError => typeof value === 'object' && value !== null && (value as { result?: unknown }).result === 'error';

/** Checks every line; a line repeating an earlier line's key is that line's error (which of two would win is not for us to guess). */
export function prepareLines<S extends TSchema, V>(raw: unknown[], rules: LineRules<S, V>): { lines: Line<V>[]; errors: LineError[] } {
  const lines: Line<V>[] = [];
  const errors: LineError[] = [];
  const seen = new Map<string, number>();
  raw.forEach((item, index) => {
    const line = index + 1;
    const checked = checkLine(rules.check, item, line);
    if ('error' in checked) return errors.push(checked.error);
    const values = rules.toValues(checked.input, line);
    if (isLineError(values)) return errors.push(values);
    const keys = rules.keysOf(values);
    const earlier = keys.map((k) => seen.get(k)).find((n) => n !== undefined);
    if (earlier !== undefined) {
      const message = {
        da: `Samme ${rules.keysLabel.da} som linje ${String(earlier)}.`,
        en: `Same ${rules.keysLabel.en} as line ${String(earlier)}.`,
      };
      return errors.push(lineError(line, keys[0] ?? null, 'duplicate_line', message));
    }
    for (const key of keys) seen.set(key, line);
    lines.push({ line, values });
  });
  return { lines, errors };
}

/** A unique violation, a serialization failure or a deadlock: a concurrent writer got there first. */
const isRetryable = (error: unknown) =>
  typeof error === 'object' && error !== null && ['23505', '40001', '40P01'].includes(String((error as { code?: unknown }).code));

/**
 * Writes lines in batches, each batch in one transaction. A batch the database refuses (a
 * concurrent writer took an id) is redone one line per transaction, so only the lines that really
 * conflict fail; every line is all-or-nothing. Results come back in line order.
 */
async function writeInBatches<V extends Keyed, R extends { line: number }>(
  db: Database,
  lines: Line<V>[],
  batchSize: number,
  writeBatch: WriteBatch<V, R>,
): Promise<(R | LineError)[]> {
  const results: (R | LineError)[] = [];
  for (let start = 0; start < lines.length; start += batchSize) {
    const batch = lines.slice(start, start + batchSize);
    try {
      results.push(...(await db.transaction().execute((trx) => writeBatch(trx, batch))));
    } catch (error) {
      if (!isRetryable(error)) throw error;
      for (const one of batch) {
        try {
          results.push(...(await db.transaction().execute((trx) => writeBatch(trx, [one]))));
        } catch (lineFailure) {
          if (!isRetryable(lineFailure)) throw lineFailure;
          const message = {
            da: 'Nogen ændrede det samme i samme øjeblik; send linjen igen.',
            en: 'Someone changed the same thing at the same moment; send the line again.',
          };
          results.push(lineError(one.line, one.values.external_id, 'concurrent_change', message));
        }
      }
    }
  }
  return results.sort((a, b) => a.line - b.line);
}

/** Everything that came of a request's lines, in line order. */
export const inLineOrder = <R extends { line: number }>(...parts: R[][]): R[] => parts.flat().sort((a, b) => a.line - b.line);

/** A synced record's values carry the clinic system's id. */
interface Keyed {
  external_id: string;
}

/** Writes one batch in the transaction given: each line's outcome, or that line's error (never a throw for one line's problem). */
export type WriteBatch<V, R> = (trx: Kysely<DB>, batch: Line<V>[]) => Promise<(R | LineError)[]>;

/** A request's lines: checked, then written in batches; one result per line, in line order. */
export async function syncLines<S extends TSchema, V extends Keyed, R extends { line: number }>(
  db: Database,
  raw: unknown[],
  rules: LineRules<S, V>,
  batchSize: number,
  writeBatch: WriteBatch<V, R>,
): Promise<(R | LineError)[]> {
  const { lines, errors } = prepareLines(raw, rules);
  return inLineOrder<R | LineError>(errors, await writeInBatches(db, lines, batchSize, writeBatch));
}

const statusOf = (code: string) => (code === 'validation_failed' ? 400 : code.endsWith('_not_found') ? 404 : 409);

/** The single form: the line's error becomes the request's error (400 bad input, 404 an unknown reference, 409 a conflict). */
export function onlyResult<R extends { result: string }>(results: (R | LineError)[]): R {
  const [result] = results;
  if (!result) throw new Error('onlyResult: no result');
  if (isLineError(result)) {
    throw new AppError(statusOf(result.error.code), result.error.code, result.error.message, result.error.field);
  }
  return result;
}
