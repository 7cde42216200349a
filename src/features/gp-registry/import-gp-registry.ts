import { parse } from 'csv-parse/sync';
import type { Database } from '../../db/database.ts';
import { audit, type Actor } from '../audit/audit.ts';
import { parseCpr } from '../patients/cpr.ts';
import type { ImportProblem } from '../patients/import-patients.ts';

/**
 * Loads GP assignments from CSV with the columns cpr,ydernummer (empty: no doctor chosen).
 * All rows are checked first; one bad row and nothing changes. Existing rows are replaced.
 */
export async function importGpRegistryCsv(db: Database, csv: string, actor: Actor, now: Date) {
  const delimiter = (csv.split('\n', 1)[0] ?? '').includes(';') ? ';' : ',';
  let records: string[][];
  try {
    records = parse(csv, { delimiter, bom: true, skip_empty_lines: true, trim: true, relax_column_count: true });
  } catch {
    return { ok: false as const, problems: [{ line: 1, problem: 'not valid CSV' }] };
  }
  const [header, ...rows] = records;
  const columns = (header ?? []).map((h) => h.toLowerCase());
  if (columns.join(',') !== 'cpr,ydernummer') {
    return { ok: false as const, problems: [{ line: 1, problem: 'the header must be cpr,ydernummer' }] };
  }
  const problems: ImportProblem[] = [];
  const entries: { cpr: string; ydernummer: string | null }[] = [];
  rows.forEach(([cprText = '', ydernummer = ''], index) => {
    const line = index + 2;
    const cpr = parseCpr(cprText);
    if (!cpr) problems.push({ line, problem: 'cpr is not a valid CPR number' });
    if (ydernummer && !/^\d{6}$/.test(ydernummer)) problems.push({ line, problem: 'ydernummer must be 6 digits or empty' });
    if (cpr) entries.push({ cpr: cpr.cpr, ydernummer: ydernummer || null });
  });
  if (problems.length) return { ok: false as const, problems };
  await db.transaction().execute(async (trx) => {
    for (const entry of entries) {
      await trx
        .insertInto('gp_assignments')
        .values(entry)
        .onConflict((oc) => oc.column('cpr').doUpdateSet({ ydernummer: entry.ydernummer }))
        .execute();
    }
    await audit(trx, actor, now, { action: 'gp_registry.imported', details: { count: entries.length } });
  });
  return { ok: true as const, imported: entries.length };
}
