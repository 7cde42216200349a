import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../src/demo/demo-data.ts';
import { startServerProcess, type ServerProcess } from './helpers/server-process.ts';

const BIN = path.resolve(import.meta.dirname, '../bin/patientportal.js');

function cli(env: Record<string, string>, ...args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NODE_ENV: 'development', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

async function staffLogin(server: ServerProcess) {
  const response = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'sekretaer@soendergade.dk', password: DEMO_PASSWORD }),
  });
  return {
    status: response.status,
    cookie: response.headers.get('set-cookie')?.split(';')[0] ?? '',
    body: (await response.json()) as { activeClinicId: string },
  };
}

describe('backup and restore of the embedded database', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pp-backup-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('backs up while the server runs and restores into a new data dir that serves the same data', async () => {
    const original = path.join(dir, 'original');
    const file = path.join(dir, 'patientportal.backup.gz');
    const server = await startServerProcess({ DATA_DIR: original });
    let patientsBefore: number;
    try {
      const login = await staffLogin(server);
      expect(login.status).toBe(200);
      const list = await fetch(`${server.url}/api/clinics/${login.body.activeClinicId}/patients`, { headers: { cookie: login.cookie } });
      patientsBefore = ((await list.json()) as { patients: unknown[] }).patients.length;
      const backup = await cli({ DATA_DIR: original }, 'backup', file);
      expect(backup.stderr).toBe('');
      expect(backup.code).toBe(0);
      expect(backup.stdout).toMatch(/Wrote .* tables/);
    } finally {
      await server.stop();
    }

    const restoredDir = path.join(dir, 'restored');
    const restore = await cli({ DATA_DIR: restoredDir }, 'restore', file);
    expect(restore.stderr).toBe('');
    expect(restore.stdout).toMatch(/Restored \d+ rows/);

    // The restored server loads no demo (the database is not empty) and knows the same staff and patients.
    const restored = await startServerProcess({ DATA_DIR: restoredDir });
    try {
      expect(restored.output()).not.toContain('Demodata indlæst');
      const login = await staffLogin(restored);
      expect(login.status).toBe(200);
      const list = await fetch(`${restored.url}/api/clinics/${login.body.activeClinicId}/patients`, { headers: { cookie: login.cookie } });
      expect(((await list.json()) as { patients: unknown[] }).patients).toHaveLength(patientsBefore);
    } finally {
      await restored.stop();
    }

    // A second restore into the same (now full) database is refused and changes nothing.
    const again = await cli({ DATA_DIR: restoredDir }, 'restore', file);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('Nothing restored: the database is not empty');
  }, 120_000); // two server starts with the demo's password hashing, a backup and a restore

  it('refuses a file that is not a backup', async () => {
    const junk = path.join(dir, 'junk.gz');
    writeFileSync(junk, 'not a backup');
    const result = await cli({ DATA_DIR: path.join(dir, 'junk-target') }, 'restore', junk);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is not a Patientportal backup');
  });
});
