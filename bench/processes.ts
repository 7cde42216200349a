import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));

/** The compiled server (dist/server/main.js), built first when missing or older than the sources. */
export function ensureBuild(): string {
  execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/ensure-build.mjs', import.meta.url))], { stdio: 'inherit' });
  return fileURLToPath(new URL('../dist/server/main.js', import.meta.url));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

// TypeScript runs in the child itself through tsx's loader (`node --import tsx`), not tsx's CLI,
// which would put a wrapper process between us and the process whose CPU time we read.
const nodeArgsFor = (script: string) => (script.endsWith('.ts') ? ['--import', 'tsx'] : []);

/**
 * Starts `node <script>` and resolves once `url` answers. TypeScript runs through tsx's loader, or
 * with `stripTypes` through Node's own type stripping, for a script measured as a server that
 * imports none of our code (the loader costs CPU at run time, see bench/login-bare.ts).
 */
export async function startProcess(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  url: string,
  nodeArgs: string[] = [],
  { stripTypes = false } = {},
): Promise<ChildProcess> {
  const argv = [...(stripTypes ? [] : nodeArgsFor(script)), ...nodeArgs, script, ...args];
  const child = spawn(process.execPath, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'], cwd: root });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${String(child.exitCode)}`);
    try {
      await fetch(url);
      return child;
    } catch {
      if (Date.now() > deadline) throw new Error(`${script} did not answer at ${url}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * The compiled server (`ensureBuild()`'s path) as in production, in a process of its own on a free
 * port, on the benchmark's database; resolves once /health answers. `env` adds or overrides
 * settings, `nodeArgs` go to node (profilers).
 */
export async function startServer(
  main: string,
  options: { databaseUrl: string; smtpUrl: string; env?: NodeJS.ProcessEnv; nodeArgs?: string[] },
): Promise<{ server: ChildProcess; base: string }> {
  const port = String(await freePort());
  const base = `http://127.0.0.1:${port}`;
  const env = {
    NODE_ENV: 'production',
    DATABASE_URL: options.databaseUrl,
    SESSION_SECRET: BENCH_SESSION_SECRET,
    SMTP_URL: options.smtpUrl,
    HOST: '127.0.0.1',
    PORT: port,
    PUBLIC_URL: base,
    DATA_DIR: path.join(tmpdir(), `pp-bench-${port}`),
    ...options.env,
  };
  return { server: await startProcess(main, [], env, `${base}/health`, options.nodeArgs), base };
}

/** The session secret of the benchmarks' servers, so a benchmark can make their CSRF tokens. */
export const BENCH_SESSION_SECRET = 'bench-secret-bench-secret-bench-secret-0';

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Runs a .ts script with tsx in a process of its own and returns its last stdout line parsed as JSON. */
export async function runJson<T>(script: string, args: string[]): Promise<T> {
  const child = spawn(process.execPath, [...nodeArgsFor(script), script, ...args], { stdio: ['ignore', 'pipe', 'inherit'], cwd: root });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => (out += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${script} exited with ${String(code)}`);
  return JSON.parse(out.trim().split('\n').at(-1) ?? '') as T;
}

/** User and system CPU time in ms of a process (all its threads), from /proc/<pid>/stat (Linux). */
export function cpuTimesOf(pid: number): { user: number; system: number } {
  const stat = execFileSync('cat', [`/proc/${String(pid)}/stat`], { encoding: 'utf8' });
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command name.
  return { user: (Number(fields[11]) / hz) * 1000, system: (Number(fields[12]) / hz) * 1000 };
}

/** User + system CPU time in ms of those threads of a process whose name matches (Linux). */
export function threadCpuMsOf(pid: number, name: RegExp): number {
  const hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  let ticks = 0;
  for (const tid of readdirSync(`/proc/${String(pid)}/task`)) {
    const stat = readFileSync(`/proc/${String(pid)}/task/${tid}/stat`, 'utf8');
    if (!name.test(stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')))) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks / hz) * 1000;
}

/** Minor page faults of a process (all its threads): memory the kernel had to map in on first touch. */
export function minorFaultsOf(pid: number): number {
  const stat = execFileSync('cat', [`/proc/${String(pid)}/stat`], { encoding: 'utf8' });
  // minflt is field 10 of the line, 8 after the command name.
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7]);
}

export function cpuMsOf(pid: number): number {
  const { user, system } = cpuTimesOf(pid);
  return user + system;
}
