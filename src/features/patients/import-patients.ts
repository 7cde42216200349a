import { isUtf8 } from 'node:buffer';
import { parse } from 'csv-parse/sync';
import { isCleanText } from '../../text-rules.ts';
import type { Database } from '../../db/database.ts';
import { audit, type Actor } from '../audit/audit.ts';
import { parseCpr } from './cpr.ts';

export const CSV_COLUMNS = ['cpr', 'given_name', 'family_name', 'address', 'postal_code', 'city', 'phone', 'email'] as const;
const REQUIRED = ['cpr', 'given_name', 'family_name'] as const;
/** The longest value we take per column (a name of 200,000 characters is a broken export, not a name). */
const MAX_LENGTH: Record<(typeof CSV_COLUMNS)[number], number> = {
  cpr: 11,
  given_name: 100,
  family_name: 100,
  address: 200,
  postal_code: 10,
  city: 100,
  phone: 30,
  email: 254,
};

export interface ImportProblem {
  line: number;
  problem: string;
}

export type ImportResult = { ok: true; imported: number } | { ok: false; problems: ImportProblem[] };

type Row = Record<(typeof CSV_COLUMNS)[number], string>;

/**
 * Imports a clinic's patients from CSV (header row; comma or semicolon). Every row is checked
 * first; one bad row and nothing is written. Problems name the line and never echo a CPR.
 */
export async function importPatientsCsv(db: Database, clinicId: string, file: string | Buffer, actor: Actor, now: Date): Promise<ImportResult> {
  if (typeof file !== 'string' && !isUtf8(file)) {
    return {
      ok: false,
      problems: [
        {
          line: 1,
          problem:
            'the file is not UTF-8 text (names with æ, ø and å would be garbled); in Excel save it as "CSV UTF-8 (kommasepareret)" / "CSV UTF-8 (Comma delimited)"',
        },
      ],
    };
  }
  const csv = typeof file === 'string' ? file : file.toString('utf8');
  const delimiter = (csv.split('\n', 1)[0] ?? '').includes(';') ? ';' : ',';
  let records: string[][];
  try {
    records = parse(csv, { delimiter, bom: true, skip_empty_lines: true, trim: true, relax_column_count: true });
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 1;
    return { ok: false, problems: [{ line, problem: 'not valid CSV' }] };
  }
  const [header, ...rows] = records;
  const columns = (header ?? []).map((h) => h.toLowerCase());
  const missing = REQUIRED.filter((c) => !columns.includes(c));
  const unknown = columns.filter((c) => !(CSV_COLUMNS as readonly string[]).includes(c));
  if (missing.length || unknown.length) {
    const parts = [missing.length ? `missing columns: ${missing.join(', ')}` : '', unknown.length ? `unknown columns: ${unknown.join(', ')}` : ''];
    return { ok: false, problems: [{ line: 1, problem: parts.filter(Boolean).join('; ') }] };
  }

  const problems: ImportProblem[] = [];
  const parsed: { line: number; row: Row }[] = [];
  const seen = new Map<string, number>();
  rows.forEach((cells, index) => {
    const line = index + 2;
    if (cells.length !== columns.length) {
      problems.push({ line, problem: `expected ${columns.length} fields, found ${cells.length}` });
      return;
    }
    const row = Object.fromEntries(CSV_COLUMNS.map((c) => [c, cells[columns.indexOf(c)] ?? ''])) as Row;
    for (const column of CSV_COLUMNS) {
      if (row[column].length > MAX_LENGTH[column]) problems.push({ line, problem: `${column} is longer than ${MAX_LENGTH[column]} characters` });
      if (!isCleanText(row[column])) problems.push({ line, problem: `${column} holds control characters or invalid Unicode` });
    }
    const cpr = parseCpr(row.cpr);
    if (!cpr) problems.push({ line, problem: 'cpr is not a valid CPR number (DDMMYY-SSSS)' });
    if (!row.given_name) problems.push({ line, problem: 'given_name is empty' });
    if (!row.family_name) problems.push({ line, problem: 'family_name is empty' });
    if (row.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(row.email)) problems.push({ line, problem: 'email is not an e-mail address' });
    if (cpr) {
      const earlier = seen.get(cpr.cpr);
      if (earlier) problems.push({ line, problem: `same CPR number as line ${earlier}` });
      seen.set(cpr.cpr, line);
      row.cpr = cpr.cpr;
    }
    parsed.push({ line, row });
  });
  if (problems.length) return { ok: false, problems };

  return db.transaction().execute(async (trx) => {
    const existing = parsed.length
      ? await trx
          .selectFrom('patients')
          .select('cpr')
          .where('clinic_id', '=', clinicId)
          .where(
            'cpr',
            'in',
            parsed.map((p) => p.row.cpr),
          )
          .execute()
      : [];
    if (existing.length) {
      const taken = new Set(existing.map((e) => e.cpr));
      return {
        ok: false as const,
        problems: parsed
          .filter((p) => taken.has(p.row.cpr))
          .map((p) => ({ line: p.line, problem: 'a patient with this CPR number already exists in the clinic' })),
      };
    }
    const blankToNull = (v: string) => (v === '' ? null : v);
    for (const { row } of parsed) {
      await trx
        .insertInto('patients')
        .values({
          clinic_id: clinicId,
          cpr: row.cpr,
          given_name: row.given_name,
          family_name: row.family_name,
          address: blankToNull(row.address),
          postal_code: blankToNull(row.postal_code),
          city: blankToNull(row.city),
          phone: blankToNull(row.phone),
          email: blankToNull(row.email),
        })
        .execute();
    }
    await audit(trx, actor, now, { action: 'patients.imported', clinicId, details: { count: parsed.length } });
    return { ok: true as const, imported: parsed.length };
  });
}
