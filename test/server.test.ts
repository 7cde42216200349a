import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../src/demo/demo-data.ts';
import { startServerProcess, type ServerProcess } from './helpers/server-process.ts';

describe('the server process on its embedded defaults', () => {
  let dir: string;
  let server: ServerProcess;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pp-server-'));
    server = await startServerProcess({ DATA_DIR: dir });
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads the demo on an empty database and prints the demo logins', async () => {
    expect(server.output()).toContain('sekretaer@soendergade.dk');
    const login = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'multi@klinikker.dk', password: DEMO_PASSWORD }),
    });
    expect(login.status).toBe(200);
    const session = await login.json();
    expect(session.clinics.map((c: { name: string }) => c.name)).toEqual(['Lægerne Søndergade', 'Øjenklinikken Vestergade']);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const patients = await fetch(`${server.url}/api/clinics/${session.activeClinicId}/patients`, { headers: { cookie } });
    expect((await patients.json()).patients.length).toBeGreaterThanOrEqual(20);
  });

  it('serves the web UI for page paths, the OpenAPI document and the development mail page', async () => {
    const page = await fetch(`${server.url}/patients/some-deep-link`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('<div id="root">');
    const docs = await fetch(`${server.url}/api/docs/json`);
    const openapi = await docs.json();
    expect(openapi.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/api/auth/login', '/api/clinics/{clinicId}/patients/{patientId}']));
    expect((await fetch(`${server.url}/api/docs`)).status).toBe(200);
    const mail = await fetch(`${server.url}/dev/mail`);
    expect(mail.status).toBe(200);
    expect(await mail.text()).toContain('UDVIKLING / DEVELOPMENT');
  });

  it('shuts down cleanly on SIGTERM and releases the data dir', async () => {
    expect(existsSync(path.join(dir, 'server.pid'))).toBe(true);
    expect(await server.stop()).toBe(0);
    expect(existsSync(path.join(dir, 'server.pid'))).toBe(false);
  });
});

describe('the server process with SMTP_URL set', () => {
  it('does not mount /dev/mail', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pp-server-'));
    const server = await startServerProcess({ DATA_DIR: dir, SMTP_URL: 'smtp://127.0.0.1:2', DEMO: 'off' });
    try {
      expect((await fetch(`${server.url}/dev/mail`)).status).toBe(404);
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start on a bad value and names the variable', () => {
    const result = spawnSync(process.execPath, ['dist/server/main.js'], {
      cwd: path.resolve(import.meta.dirname, '..'),
      env: { ...process.env, PORT: 'abc', DATA_DIR: mkdtempSync(path.join(tmpdir(), 'pp-bad-')) },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Invalid configuration: PORT');
  });
});
