import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sql } from 'kysely';
import pg from 'pg';
import { openEmptyDatabase } from '../../test/helpers/databases.ts';
import { prepared, type Database } from './database.ts';

describe("the pool's connections run Kysely's statements", () => {
  let db: Database;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ db, drop } = await openEmptyDatabase('client_query', {
      poolSize: 1,
      timeouts: { acquireMs: 1000, statementMs: 1000, lockMs: 1000, idleInTransactionMs: 5000 },
    }));
  });
  afterAll(() => drop());

  // Asked for a promise, pg sets the query's callback after constructing it, and then a large share
  // of what the server allocates survives V8's young-generation collections (database.ts).
  it('by giving pg the callback with the statement, marked prepared or not, in and out of a transaction', async () => {
    const query = vi.spyOn(pg.Client.prototype, 'query');
    try {
      await sql`select 1 as plain`.execute(db);
      await prepared(sql`select ${2}::int as marked`).execute(db);
      await db.transaction().execute(async (trx) => {
        await sql`select 3 as inside`.execute(trx);
      });
      const calls = query.mock.calls.map(([config, values, callback]) => ({
        text: typeof config === 'string' ? config : (config as { text: string }).text,
        values,
        callback: typeof callback,
      }));
      expect(calls.map((call) => call.text)).toEqual([
        'select 1 as plain',
        expect.stringContaining('select $1::int as marked'),
        'begin',
        'select 3 as inside',
        'commit',
      ]);
      expect(calls.map((call) => call.callback)).toEqual(calls.map(() => 'function'));
      // The values travel in the config object (where pg's normalizeQueryConfig puts them either way).
      expect(calls.map((call) => call.values)).toEqual(calls.map(() => undefined));
    } finally {
      query.mockRestore();
    }
  });

  it('with their results and errors as before', async () => {
    expect((await prepared(sql<{ doubled: number }>`select ${21}::int * 2 as doubled`).execute(db)).rows).toEqual([{ doubled: 42 }]);
    const failed = await sql`select 1 / 0`.execute(db).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(Error);
    expect((failed as { code?: string }).code).toBe('22012');
    // The caller's stack, not only pg's socket read.
    expect((failed as Error).stack).toContain('client-query.test.ts');
  });
});
