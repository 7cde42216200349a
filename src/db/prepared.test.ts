import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openEmptyDatabase } from '../../test/helpers/databases.ts';
import { prepared, type Database } from './database.ts';

describe('statements marked prepared()', () => {
  let db: Database;
  let drop: () => Promise<void>;
  // One connection, so the session the statements were prepared in is the one asked about.
  beforeAll(async () => {
    ({ db, drop } = await openEmptyDatabase('prepared', { poolSize: 1 }));
  });
  afterAll(() => drop());

  const marked = (value: number) => prepared(sql<{ doubled: number }>`select ${value}::int * 2 as doubled`);
  const preparedNames = async () =>
    (await sql<{ name: string }>`select name from pg_prepared_statements order by name`.execute(db)).rows.map((row) => row.name);

  it('run as one named statement per text on the connection, with each run its own values', async () => {
    expect((await marked(2).execute(db)).rows).toEqual([{ doubled: 4 }]);
    expect((await marked(5).execute(db)).rows).toEqual([{ doubled: 10 }]);
    const names = await preparedNames();
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^pp_[0-9a-f]{16}$/);
  });

  it('keep working after a transaction that used them rolled back, or failed before they ran', async () => {
    // First prepared inside a transaction that then rolls back (a refused approval does this).
    const fresh = (value: number) => prepared(sql<{ tripled: number }>`select ${value}::int * 3 as tripled`);
    await expect(
      db.transaction().execute(async (trx) => {
        await fresh(3).execute(trx);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect((await fresh(4).execute(db)).rows).toEqual([{ tripled: 12 }]);
    // A failed statement aborts the transaction, so the marked one after it is refused.
    await expect(
      db.transaction().execute(async (trx) => {
        await sql`select 1 / 0`.execute(trx).catch(() => undefined);
        await prepared(sql`select ${1}::int as other`).execute(trx);
      }),
    ).rejects.toThrow(/aborted/);
    expect((await marked(7).execute(db)).rows).toEqual([{ doubled: 14 }]);
    expect((await prepared(sql<{ other: number }>`select ${1}::int as other`).execute(db)).rows).toEqual([{ other: 1 }]);
  });

  it('leave statements without the mark unnamed', async () => {
    const before = await preparedNames();
    await sql`select ${1}::int as unmarked`.execute(db);
    expect(await preparedNames()).toEqual(before);
  });
});
