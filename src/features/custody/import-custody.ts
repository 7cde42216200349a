import { parse } from 'csv-parse/sync';
import type { Database } from '../../db/database.ts';
import { audit, type Actor } from '../audit/audit.ts';
import { parseCpr } from '../patients/cpr.ts';
import type { ImportProblem } from '../patients/import-patients.ts';

const CHUNK = 10_000;

/**
 * Loads custody from CSV with the columns child_cpr,holder_cpr (one line per holder). All lines are
 * checked first; one bad line and nothing changes. For every child in the file the file is the whole
 * truth: its earlier holders are replaced. Children not in the file keep theirs.
 */
export async function importCustodyCsv(db: Database, csv: string, actor: Actor, now: Date) {
  const delimiter = (csv.split('\n', 1)[0] ?? '').includes(';') ? ';' : ',';
  let records: string[][];
  try {
    records = parse(csv, { delimiter, bom: true, skip_empty_lines: true, trim: true, relax_column_count: true });
  } catch {
    return { ok: false as const, problems: [{ line: 1, problem: 'not valid CSV' }] };
  }
  const [header, ...rows] = records;
  if ((header ?? []).map((h) => h.toLowerCase()).join(',') !== 'child_cpr,holder_cpr') {
    return { ok: false as const, problems: [{ line: 1, problem: 'the header must be child_cpr,holder_cpr' }] };
  }
  const problems: ImportProblem[] = [];
  const entries: { child_cpr: string; holder_cpr: string }[] = [];
  rows.forEach(([childText = '', holderText = ''], index) => {
    const line = index + 2;
    const child = parseCpr(childText);
    const holder = parseCpr(holderText);
    if (!child) problems.push({ line, problem: 'child_cpr is not a valid CPR number' });
    if (!holder) problems.push({ line, problem: 'holder_cpr is not a valid CPR number' });
    if (!child || !holder) return;
    if (child.cpr === holder.cpr) problems.push({ line, problem: 'a child cannot hold custody of itself' });
    else entries.push({ child_cpr: child.cpr, holder_cpr: holder.cpr });
  });
  if (problems.length) return { ok: false as const, problems };
  const children = [...new Set(entries.map((e) => e.child_cpr))];
  await db.transaction().execute(async (trx) => {
    // In chunks: one statement holds at most 65,535 parameters.
    for (let i = 0; i < children.length; i += CHUNK) {
      await trx
        .deleteFrom('custody_holders')
        .where('child_cpr', 'in', children.slice(i, i + CHUNK))
        .execute();
    }
    for (let i = 0; i < entries.length; i += CHUNK) {
      await trx
        .insertInto('custody_holders')
        .values(entries.slice(i, i + CHUNK))
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
    await audit(trx, actor, now, { action: 'custody.imported', details: { children: children.length, holders: entries.length } });
  });
  return { ok: true as const, children: children.length, holders: entries.length };
}
