import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestDatabase, type TestDatabase } from '../../../test/helpers/databases.ts';
import { HttpGpRegistry, RegistryUnavailable, TableGpRegistry } from './gp-registry.ts';
import { importGpRegistryCsv } from './import-gp-registry.ts';

/** A local server speaking the master-data lookup contract. */
function registryServer(): Promise<{ url: string; server: Server }> {
  const answers: Record<string, { status: number; body?: string; delayMs?: number }> = {
    '0101901234': { status: 200, body: '"012345"' },
    '0202902345': { status: 200, body: '{"ydernummer":"054321"}' },
    '0303903456': { status: 200, body: 'null' },
    '0404904567': { status: 500, body: 'oops' },
    '0505905678': { status: 200, body: '"012345"', delayMs: 2000 },
    '0606906789': { status: 200, body: '"not a number"' },
  };
  const server = createServer((req, res) => {
    const cpr = /^\/api\/sikrede\/(\d{10})\/egenLaegeYdernummer$/.exec(req.url ?? '')?.[1];
    const answer = cpr ? answers[cpr] : undefined;
    if (!answer) return void res.writeHead(404).end();
    setTimeout(() => res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body), answer.delayMs ?? 0);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`, server })),
  );
}

describe('the HTTP GP registry client against a local server of the same contract', () => {
  let server: Server;
  let registry: HttpGpRegistry;
  beforeAll(async () => {
    const started = await registryServer();
    server = started.server;
    registry = new HttpGpRegistry(started.url, 300);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads the ydernummer as a JSON string or object, null as no doctor, 404 as unknown', async () => {
    expect(await registry.ownDoctor('0101901234')).toEqual({ status: 'found', ydernummer: '012345' });
    expect(await registry.ownDoctor('0202902345')).toEqual({ status: 'found', ydernummer: '054321' });
    expect(await registry.ownDoctor('0303903456')).toEqual({ status: 'none' });
    expect(await registry.ownDoctor('0909909999')).toEqual({ status: 'unknown' });
  });

  it('calls a server error, a nonsense answer, a timeout and a closed port unavailable', async () => {
    await expect(registry.ownDoctor('0404904567')).rejects.toBeInstanceOf(RegistryUnavailable);
    await expect(registry.ownDoctor('0606906789')).rejects.toBeInstanceOf(RegistryUnavailable);
    await expect(registry.ownDoctor('0505905678')).rejects.toBeInstanceOf(RegistryUnavailable);
    await expect(new HttpGpRegistry('http://127.0.0.1:1', 300).ownDoctor('0101901234')).rejects.toBeInstanceOf(RegistryUnavailable);
  });
});

describe.each(backends)('the table GP registry on %s', (backend) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(backend);
  });
  afterAll(() => database.drop());

  it('imports CSV, replacing earlier rows, and answers found, none and unknown', async () => {
    const actor = { type: 'cli' as const, id: null, ip: null };
    expect(await importGpRegistryCsv(database.db, 'cpr,ydernummer\n010190-1234,012345\n0202902345,\n', actor, new Date())).toEqual({ ok: true, imported: 2 });
    expect(await importGpRegistryCsv(database.db, 'cpr,ydernummer\n0101901234,054321\n', actor, new Date())).toEqual({ ok: true, imported: 1 });
    const registry = new TableGpRegistry(database.db);
    expect(await registry.ownDoctor('0101901234')).toEqual({ status: 'found', ydernummer: '054321' });
    expect(await registry.ownDoctor('0202902345')).toEqual({ status: 'none' });
    expect(await registry.ownDoctor('0303903456')).toEqual({ status: 'unknown' });
  });

  it('reports bad rows by line and changes nothing', async () => {
    const result = await importGpRegistryCsv(
      database.db,
      'cpr,ydernummer\n0404904567,012345\nbad,012345\n0505905678,12\n',
      { type: 'cli', id: null, ip: null },
      new Date(),
    );
    expect(result).toEqual({
      ok: false,
      problems: [
        { line: 3, problem: 'cpr is not a valid CPR number' },
        { line: 4, problem: 'ydernummer must be 6 digits or empty' },
      ],
    });
    expect(await new TableGpRegistry(database.db).ownDoctor('0404904567')).toEqual({ status: 'unknown' });
  });
});
