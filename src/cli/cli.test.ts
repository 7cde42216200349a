import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/database.ts';
import { backends, createTestDatabase, type TestDatabase } from '../../test/helpers/databases.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/patientportal.js');

describe.each(backends)('the patientportal CLI on %s', (backend) => {
  let dir: string;
  let env: Record<string, string>;
  let pgDatabase: TestDatabase;

  const cli = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, ...env } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });

  /** Reads what the CLI wrote. */
  const inspect = async <T>(fn: (db: ReturnType<typeof openDatabase>) => Promise<T>): Promise<T> => {
    const db = openDatabase({ url: pgDatabase.url });
    try {
      return await fn(db);
    } finally {
      await db.destroy();
    }
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pp-cli-'));
    env = { NODE_ENV: 'test', DATA_DIR: path.join(dir, 'data'), PUBLIC_URL: 'https://portal.example.dk', SESSION_SECRET: 'x'.repeat(40) };
    pgDatabase = await createTestDatabase(backend);
    env.DATABASE_URL = pgDatabase.url;
  });
  afterAll(async () => {
    await pgDatabase.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a clinic and a staff user whose set-password mail waits in the outbox', async () => {
    const clinic = await cli('clinic:create', '--name', 'Lægehuset Åby', '--specialty', 'almen_praksis', '--ydernummer', '654321', '--mitid');
    expect(clinic.stderr).toBe('');
    expect(clinic.stdout).toContain('laegehuset-aaby');
    const staff = await cli('staff:create', '--email', 'ny@aaby.dk', '--name', 'Ny Sekretær', '--clinic', 'laegehuset-aaby:admin');
    expect(staff.code).toBe(0);
    const support = await cli('support:create', '--email', 'hjælp@leverandør.dk', '--name', 'Support');
    expect(support.code).toBe(0);
    await inspect(async (db) => {
      const mail = await db
        .selectFrom('outbox_mails')
        .select(['to_address', 'status', 'text_body'])
        .where('to_address', '=', 'ny@aaby.dk')
        .executeTakeFirstOrThrow();
      expect(mail.status).toBe('pending');
      expect(mail.text_body).toContain('https://portal.example.dk/set-password#token=');
      const membership = await db.selectFrom('staff_memberships').select('role').executeTakeFirstOrThrow();
      expect(membership.role).toBe('admin');
      const clinicRow = await db.selectFrom('clinics').selectAll().executeTakeFirstOrThrow();
      expect(clinicRow).toMatchObject({ specialty: 'almen_praksis', ydernummer: '654321', uses_mitid: true });
      const actions = (await db.selectFrom('audit_events').select('action').where('actor_type', '=', 'cli').execute()).map((a) => a.action);
      expect(actions).toEqual(expect.arrayContaining(['clinic.created', 'staff.created']));
    });
  });

  it('imports patients from CSV', async () => {
    writeFileSync(
      path.join(dir, 'good.csv'),
      'cpr;given_name;family_name;address;postal_code;city;phone;email\n' +
        '010190-1234;Ida;Holm;Åvej 1;8000;Aarhus C;12345678;ida@example.dk\n' +
        '0202851235;Bo;Dam;;;;;\n',
    );
    const result = await cli('patients:import', '--clinic', 'laegehuset-aaby', 'good.csv');
    expect(result.stdout).toContain('Imported 2 patient(s)');
    await inspect(async (db) => {
      const rows = await db.selectFrom('patients').select(['cpr', 'given_name', 'address']).orderBy('cpr').execute();
      expect(rows).toEqual([
        { cpr: '0101901234', given_name: 'Ida', address: 'Åvej 1' },
        { cpr: '0202851235', given_name: 'Bo', address: null },
      ]);
    });
  });

  it('reports every bad row by line, without echoing CPR numbers, and writes nothing', async () => {
    writeFileSync(
      path.join(dir, 'bad.csv'),
      'cpr,given_name,family_name\n' +
        '030303-1111,Ok,Row\n' +
        '320188-1234,Bad,Date\n' +
        '040404-2222,,Nameless\n' +
        '030303-1111,Twin,Row\n' +
        '010190-1234,Already,There\n',
    );
    const result = await cli('patients:import', '--clinic', 'laegehuset-aaby', 'bad.csv');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('bad.csv:3: cpr is not a valid CPR number');
    expect(result.stderr).toContain('bad.csv:4: given_name is empty');
    expect(result.stderr).toContain('bad.csv:5: same CPR number as line 2');
    expect(result.stderr).not.toContain('320188');
    await inspect(async (db) => {
      expect(await db.selectFrom('patients').select('id').execute()).toHaveLength(2);
    });
  });

  it('refuses a row whose CPR the clinic already has, and imports none of the file', async () => {
    writeFileSync(path.join(dir, 'dupe.csv'), 'cpr,given_name,family_name\n050505-5555,New,One\n010190-1234,Ida,Again\n');
    const result = await cli('patients:import', '--clinic', 'laegehuset-aaby', 'dupe.csv');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('dupe.csv:3: a patient with this CPR number already exists');
    await inspect(async (db) => {
      expect(await db.selectFrom('patients').select('id').execute()).toHaveLength(2);
    });
  });

  it('refuses a file that is not UTF-8 (a Latin-1 export) and says how to save it, writing nothing', async () => {
    writeFileSync(path.join(dir, 'latin1.csv'), Buffer.from('cpr,given_name,family_name\n060606-6666,S\xf8ren,M\xf8ller\n', 'latin1'));
    const result = await cli('patients:import', '--clinic', 'laegehuset-aaby', 'latin1.csv');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('not UTF-8');
    expect(result.stderr).toContain('CSV UTF-8');
    await inspect(async (db) => {
      expect(await db.selectFrom('patients').select('id').where('cpr', '=', '0606066666').execute()).toHaveLength(0);
    });
  });

  it('refuses a field longer than its column allows, writing nothing', async () => {
    writeFileSync(path.join(dir, 'long.csv'), `cpr,given_name,family_name\n070707-7777,${'A'.repeat(200_000)},Lang\n`);
    const result = await cli('patients:import', '--clinic', 'laegehuset-aaby', 'long.csv');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('long.csv:2: given_name is longer than 100 characters');
    await inspect(async (db) => {
      expect(await db.selectFrom('patients').select('id').where('cpr', '=', '0707077777').execute()).toHaveLength(0);
    });
  });

  it('imports custody, and for a bad line reports its number and writes nothing', async () => {
    writeFileSync(path.join(dir, 'custody.csv'), 'child_cpr,holder_cpr\n120717-4028,0304851236\n1207174028,1911831237\n');
    const imported = await cli('custody:import', 'custody.csv');
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toContain('Imported custody of 1 child(ren), 2 holder(s).');
    writeFileSync(path.join(dir, 'custody-bad.csv'), 'child_cpr,holder_cpr\n0303154012,1105824562\n0303154012,mor\n');
    const bad = await cli('custody:import', 'custody-bad.csv');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('custody-bad.csv:3: holder_cpr is not a valid CPR number');
    await inspect(async (db) => {
      expect(await db.selectFrom('custody_holders').select(['child_cpr', 'holder_cpr']).orderBy('holder_cpr').execute()).toEqual([
        { child_cpr: '1207174028', holder_cpr: '0304851236' },
        { child_cpr: '1207174028', holder_cpr: '1911831237' },
      ]);
    });
  });

  it('explains a usage error and exits 2', async () => {
    const result = await cli('staff:create', '--email', 'x@y.dk', '--name', 'X', '--clinic', 'no-such-clinic');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no clinic with slug "no-such-clinic"');
  });
});
