/**
 * npm run bench:memory
 *
 * Idle memory of the compiled server (dist/server/main.js; run `npm run build` first) after its
 * start and a few requests, in two set-ups measured in one run:
 * - embedded: the default `npm start` (DATA_DIR of its own, the demo loaded): the Node process's
 *   RSS plus the PSS of every process of its PostgreSQL cluster (PSS shares shared memory fairly);
 * - postgres: DATABASE_URL pointing at a PostgreSQL server (the local one by default), demo off:
 *   the Node process's RSS (the server's memory is the server's).
 * A bare `node` process idling is the baseline. Last line:
 *   idle rss: embedded 281 MB (node 150 + postgres 131), postgres 190 MB; bare node 45 MB
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freeTcpPort } from '../test/helpers/server-process.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 5000);
const MB = 1024 * 1024;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function kib(file: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(file, 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}
const rssOf = (pid: number) => kib(`/proc/${pid}/status`, 'VmRSS');
const pssOf = (pid: number) => kib(`/proc/${pid}/smaps_rollup`, 'Pss');

/** The postmaster of the cluster in `pgdata` and all its children. */
function clusterPids(pgdata: string): number[] {
  const postmaster = Number(readFileSync(path.join(pgdata, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) === postmaster;
      } catch {
        return false;
      }
    })
    .map(Number);
  return [postmaster, ...children];
}

async function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const port = await freeTcpPort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['dist/server/main.js'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), PUBLIC_URL: url, DEV_SMTP_PORT: '0', MITID_TEST_BROKER_PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: 'ignore',
  });
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; await sleep(200)) {
    if (child.exitCode !== null) throw new Error('the server exited during start');
    if (
      await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { child, url };
  }
  throw new Error('the server did not start');
}

/** A few requests of the kind a page makes, then quiet, as an idle clinic's server is. */
async function exercise(url: string): Promise<void> {
  for (let i = 0; i < 20; i++) {
    await fetch(`${url}/health`);
    await fetch(`${url}/api/docs/json`);
    await fetch(`${url}/`);
  }
  await sleep(SETTLE_MS);
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

async function embedded(): Promise<{ node: number; postgres: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pp-bench-memory-'));
  const { child, url } = await startServer({ DATA_DIR: dir });
  try {
    await exercise(url);
    const postgres = clusterPids(path.join(dir, 'postgres')).reduce((sum, pid) => sum + pssOf(pid), 0);
    return { node: rssOf(child.pid!), postgres };
  } finally {
    await stop(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function external(): Promise<number> {
  const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query('drop database if exists pp_bench_memory with (force)');
  await admin.query('create database pp_bench_memory');
  const url = new URL(server);
  url.pathname = '/pp_bench_memory';
  const dir = mkdtempSync(path.join(tmpdir(), 'pp-bench-memory-'));
  const { child, url: base } = await startServer({ DATA_DIR: dir, DATABASE_URL: url.toString(), DEMO: 'off' });
  try {
    await exercise(base);
    return rssOf(child.pid!);
  } finally {
    await stop(child);
    await admin.query('drop database if exists pp_bench_memory with (force)');
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function bareNode(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
  await sleep(1000);
  const rss = rssOf(child.pid!);
  child.kill();
  return rss;
}

const baseline = await bareNode();
const emb = await embedded();
const ext = await external();
const mb = (bytes: number) => Math.round(bytes / MB);
console.log(`embedded: node rss ${mb(emb.node)} MB, postgres pss ${mb(emb.postgres)} MB`);
console.log(`postgres: node rss ${mb(ext)} MB`);
console.log(
  `idle rss: embedded ${mb(emb.node + emb.postgres)} MB (node ${mb(emb.node)} + postgres ${mb(emb.postgres)}), postgres ${mb(ext)} MB; bare node ${mb(baseline)} MB`,
);
