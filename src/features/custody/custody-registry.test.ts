import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { custodyServer } from '../../../test/helpers/custody-server.ts';
import { backends, createTestDatabase, type TestDatabase } from '../../../test/helpers/databases.ts';
import { CustodyUnavailable, HttpCustodyRegistry, TableCustodyRegistry } from './custody-registry.ts';
import { importCustodyCsv } from './import-custody.ts';

describe('the HTTP custody client against a local server of the same contract', () => {
  let server: Server;
  let registry: HttpCustodyRegistry;
  beforeAll(async () => {
    const started = await custodyServer({
      '0303154012': { status: 200, body: '{"indehavere":["1105824562","070861-4365"]}' },
      '0404164013': { status: 200, body: '["1105824562"]' },
      '0505174014': { status: 200, body: '{"indehavere":[]}' },
      '0606184015': { status: 500, body: 'oops' },
      '0707194016': { status: 200, body: '{"indehavere":["1105824562"]}', delayMs: 2000 },
      '0808204017': { status: 200, body: '{"indehavere":["mor"]}' },
      '0909214018': { status: 200, body: '<html>' },
      '1010224019': { status: 200, body: '{"holders":["1105824562"]}' },
    });
    server = started.server;
    registry = new HttpCustodyRegistry(started.url, 300);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads the holders as an object or a bare array, and 404 or an empty list as no holders', async () => {
    expect(await registry.holdersOf('0303154012')).toEqual(['0708614365', '1105824562']);
    expect(await registry.holdersOf('0404164013')).toEqual(['1105824562']);
    expect(await registry.holdersOf('0505174014')).toEqual([]);
    expect(await registry.holdersOf('1111111118')).toEqual([]);
  });

  it('calls a server error, nonsense, a slow answer and a closed port unavailable', async () => {
    for (const cpr of ['0606184015', '0808204017', '0909214018', '1010224019', '0707194016']) {
      await expect(registry.holdersOf(cpr), cpr).rejects.toBeInstanceOf(CustodyUnavailable);
    }
    await expect(new HttpCustodyRegistry('http://127.0.0.1:1', 300).holdersOf('0303154012')).rejects.toBeInstanceOf(CustodyUnavailable);
  });
});

describe.each(backends)('the table custody registry on %s', (backend) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(backend);
  });
  afterAll(() => database.drop());
  const actor = { type: 'cli' as const, id: null, ip: null };

  it('imports CSV, a child in a later file replacing its holders, and answers them', async () => {
    expect(
      await importCustodyCsv(database.db, 'child_cpr,holder_cpr\n030315-4012,1105824562\n0303154012,0708614365\n0404164013,1105824562\n', actor, new Date()),
    ).toEqual({
      ok: true,
      children: 2,
      holders: 3,
    });
    expect(await importCustodyCsv(database.db, 'child_cpr;holder_cpr\n0303154012;1105824562\n', actor, new Date())).toEqual({
      ok: true,
      children: 1,
      holders: 1,
    });
    const registry = new TableCustodyRegistry(database.db);
    expect(await registry.holdersOf('0303154012')).toEqual(['1105824562']);
    expect(await registry.holdersOf('0404164013')).toEqual(['1105824562']);
    expect(await registry.holdersOf('0505174014')).toEqual([]);
  });

  it('reports bad lines by number and writes nothing', async () => {
    const result = await importCustodyCsv(
      database.db,
      'child_cpr,holder_cpr\n0505174014,1105824562\nbarn,1105824562\n0606184015,0606184015\n',
      actor,
      new Date(),
    );
    expect(result).toEqual({
      ok: false,
      problems: [
        { line: 3, problem: 'child_cpr is not a valid CPR number' },
        { line: 4, problem: 'a child cannot hold custody of itself' },
      ],
    });
    expect(await new TableCustodyRegistry(database.db).holdersOf('0505174014')).toEqual([]);
    expect((await importCustodyCsv(database.db, 'cpr,holder\n', actor, new Date())).ok).toBe(false);
  });
});
