/**
 * npm run bench:login
 *
 * Complete patient logins (password, then the mailed 8-digit code) through the HTTP API, with the
 * server measured rather than the machine: the compiled server (dist/server/main.js,
 * NODE_ENV=production, its mail worker inside) runs in a process of its own, the load generator
 * and the SMTP receiver in another (bench/login-load.ts). The server process's CPU time (user +
 * system, from /proc/<pid>/stat, all its threads) over the measured seconds, divided by completed
 * logins, is compared with argon2id's CPU time per verification (process.cpuUsage around
 * @node-rs/argon2's verify in this process, same run, same hash). Each login is one verification.
 *
 * Then, in the same run, the floor: the same logins served by bench/login-bare.ts, the same
 * libraries with none of the product, measured the same way; the last line ends with argon2id's
 * share of each one's CPU.
 *
 * BENCH_PROFILE=1 also runs the server with --cpu-prof and writes a summary of the profile's top
 * entries to docs/perf/login-profile.md. BENCH_PERF=1 instead samples the server and the floor
 * on-CPU with Linux perf over the measured seconds and writes docs/perf/login-perf.md and
 * docs/perf/login-bare-perf.md (bench/perf-profile.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { verify } from '@node-rs/argon2';
import { sql } from 'kysely';
import { hashPassword } from '../src/features/auth/passwords.ts';
import { freshBenchDatabase } from './bench-db.ts';
import { writeProfileSummary } from './cpu-profile.ts';
import { recordPerf, writePerfSummary, type PerfRecording } from './perf-profile.ts';
import { cpuTimesOf, ensureBuild, freePort, minorFaultsOf, threadCpuMsOf, root, startProcess, startServer, stopProcess } from './processes.ts';
import { recordResult } from './results.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 16);
const PROFILE = process.env.BENCH_PROFILE === '1';
const PERF = process.env.BENCH_PERF === '1';
const ACCOUNTS = 500;
const PASSWORD = 'benchmark password that is long';
// Keycloak's sizing guide: 15 password-based logins per second per vCPU.
const KEYCLOAK_PER_VCPU = 15;

/** argon2id's CPU time per verification in this process (its thread pool included). */
async function argon2CpuMs(hash: string, count: number): Promise<number> {
  await verify(hash, PASSWORD); // warm up
  const before = process.cpuUsage();
  await Promise.all(
    Array.from({ length: 2 }, async () => {
      for (let i = 0; i < count / 2; i++) await verify(hash, PASSWORD);
    }),
  );
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / count;
}

async function main() {
  const serverMain = ensureBuild();
  const { db, url } = await freshBenchDatabase('pp_bench_login');
  const passwordHash = await hashPassword(PASSWORD);
  const argon2Before = await argon2CpuMs(passwordHash, 40);

  const clinic = await db.insertInto('clinics').values({ name: 'Bench', slug: 'bench', specialty: 'speciallaege' }).returning('id').executeTakeFirstOrThrow();
  await sql`insert into patient_accounts (cpr, email, password_hash, activated_at, created_at)
    select '0101' || lpad((50 + i % 40)::text, 2, '0') || lpad(i::text, 4, '0'), 'bench' || i || '@example.test', ${passwordHash}, now(), now()
    from generate_series(0, ${ACCOUNTS - 1}) i`.execute(db);
  await sql`insert into patients (clinic_id, cpr, given_name, family_name) select ${clinic.id}, cpr, 'Bench', email from patient_accounts`.execute(db);
  await sql`insert into portal_memberships (account_id, clinic_id, patient_id, rights, created_at)
    select a.id, p.clinic_id, p.id, '{econsultation}', now() from patient_accounts a join patients p on p.cpr = a.cpr`.execute(db);
  await db.destroy();
  const emails = Array.from({ length: ACCOUNTS }, (_, i) => `bench${String(i)}@example.test`);

  // The load generator and mail receiver first: the server needs the receiver's address.
  const load = spawn(process.execPath, ['--import', 'tsx', 'bench/login-load.ts'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const messages: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  load.on('message', (m) => {
    messages.push(m as Record<string, unknown>);
    waiters.splice(0).forEach((wake) => wake());
  });
  load.once('exit', () => waiters.splice(0).forEach((wake) => wake()));
  // Takes the first message of a type that came (each is used once: every server has its run).
  const message = async (type: string) => {
    for (;;) {
      const index = messages.findIndex((m) => m.type === type);
      if (index >= 0) return messages.splice(index, 1)[0]!;
      if (load.exitCode !== null || load.signalCode !== null) throw new Error(`the load generator exited (${String(load.exitCode ?? load.signalCode)})`);
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  const smtpUrl = String((await message('smtp')).url);

  /**
   * Drives logins at the server at `base` (process `pid`) and reads its CPU over the measured
   * seconds. argon2id runs on libuv's thread pool (nothing else does during a login), so that pool's
   * threads' CPU is argon2id's in the server itself, at the same moment: immune to the machine's
   * speed drifting between this and the separate measurement above and below.
   */
  const measure = async (pid: number, base: string, during?: { start(): void; stop(): Promise<void> }) => {
    load.send({ type: 'run', base, emails, password: PASSWORD, seconds: SECONDS, clients: CLIENTS, warmup: 100 });
    await message('warm');
    const cpuBefore = cpuTimesOf(pid);
    const faultsBefore = minorFaultsOf(pid);
    const poolBefore = threadCpuMsOf(pid, /^libuv-worker/);
    during?.start();
    let done: Record<string, unknown>;
    try {
      load.send({ type: 'go' });
      done = await message('done');
    } finally {
      await during?.stop();
    }
    const cpuAfter = cpuTimesOf(pid);
    const userMs = cpuAfter.user - cpuBefore.user;
    const systemMs = cpuAfter.system - cpuBefore.system;
    return {
      completed: Number(done.completed),
      seconds: Number(done.seconds),
      userMs,
      systemMs,
      cpuMs: userMs + systemMs,
      poolMs: threadCpuMsOf(pid, /^libuv-worker/) - poolBefore,
      faults: minorFaultsOf(pid) - faultsBefore,
    };
  };
  const inServer = (name: string, run: { completed: number; cpuMs: number; poolMs: number }) =>
    `argon2id in ${name} (libuv's thread pool): ${(run.poolMs / run.completed).toFixed(1)} ms per login = ${((run.poolMs / run.cpuMs) * 100).toFixed(0)}% of its CPU; the rest ${((run.cpuMs - run.poolMs) / run.completed).toFixed(1)} ms per login`;

  const profileDir = PROFILE ? mkdtempSync(path.join(tmpdir(), 'pp-login-prof-')) : undefined;
  const { server, base } = await startServer(serverMain, {
    databaseUrl: url,
    smtpUrl,
    env: { AUTH_RATE_LIMIT_PER_MINUTE: '100000' },
    nodeArgs: [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), ...(PERF ? ['--perf-basic-prof'] : [])],
  });
  let bare: ChildProcess | undefined;
  try {
    const pid = server.pid ?? 0;
    const perfFile = path.join(tmpdir(), `pp-login-${String(pid)}.perf.data`);
    let perf: PerfRecording | undefined;
    const full = await measure(pid, base, PERF ? { start: () => (perf = recordPerf(pid, perfFile)), stop: async () => perf?.stop() } : undefined);
    await stopProcess(server);

    // The floor: the same login with the same libraries and none of the product (bench/login-bare.ts).
    const barePort = await freePort();
    const bareBase = `http://127.0.0.1:${String(barePort)}`;
    const bareEnv = { NODE_ENV: 'production', PORT: String(barePort), DATABASE_URL: url, SMTP_URL: smtpUrl };
    bare = await startProcess('bench/login-bare.ts', [], bareEnv, `${bareBase}/health`, PERF ? ['--perf-basic-prof'] : [], {
      stripTypes: true,
    });
    const barePid = bare.pid ?? 0;
    const barePerfFile = path.join(tmpdir(), `pp-login-${String(barePid)}.perf.data`);
    let barePerf: PerfRecording | undefined;
    const floor = await measure(
      barePid,
      bareBase,
      PERF ? { start: () => (barePerf = recordPerf(barePid, barePerfFile)), stop: async () => barePerf?.stop() } : undefined,
    );
    await stopProcess(bare);
    load.send({ type: 'end' });
    const argon2After = await argon2CpuMs(passwordHash, 40);

    const { completed, seconds, cpuMs, userMs, systemMs, faults } = full;
    const argon2 = (argon2Before + argon2After) / 2;
    const perLogin = cpuMs / completed;
    const rate = completed / seconds;
    // Logins per second per core if the server had the core to itself: 1000 ms / CPU per login.
    const perCore = 1000 / perLogin;
    const summary =
      `login: ${rate.toFixed(0)} logins/s; server CPU per login ${perLogin.toFixed(1)} ms, of which argon2id ${argon2.toFixed(1)} ms = ${((argon2 / perLogin) * 100).toFixed(0)}%; ` +
      `Keycloak's documented ${String(KEYCLOAK_PER_VCPU)}/s per vCPU = ${(perCore / KEYCLOAK_PER_VCPU).toFixed(1)}x; ` +
      `inside the server ${((full.poolMs / cpuMs) * 100).toFixed(0)}%, the bare floor ${((floor.poolMs / floor.cpuMs) * 100).toFixed(0)}%`;
    const details = [
      `cores: ${String(availableParallelism())}, clients: ${String(CLIENTS)}, seconds: ${seconds.toFixed(1)}, logins: ${String(completed)}, server CPU ${(cpuMs / 1000).toFixed(1)} s (${((cpuMs / 1000 / seconds) * 100).toFixed(0)}% of one core; user ${(userMs / completed).toFixed(1)} + system ${(systemMs / completed).toFixed(1)} ms per login; ${(faults / completed).toFixed(0)} page faults per login)`,
      `argon2id verify CPU: ${argon2Before.toFixed(1)} ms before the run, ${argon2After.toFixed(1)} ms after; server CPU besides argon2id ${(perLogin - argon2).toFixed(1)} ms per login; ${perCore.toFixed(0)} logins/s per core of server CPU`,
      inServer('the server', full),
      `the bare floor (bench/login-bare.ts: the same login on Fastify, pg, nodemailer and argon2id, none of the product): ${(floor.completed / floor.seconds).toFixed(0)} logins/s, CPU per login ${(floor.cpuMs / floor.completed).toFixed(1)} ms`,
      inServer('the bare floor', floor),
    ];
    if (profileDir) {
      const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
      if (!file) throw new Error('no CPU profile written');
      writeProfileSummary(readFileSync(path.join(profileDir, file), 'utf8'), `${summary}\n${details.join('\n')}`);
    }
    if (PERF) {
      const threads = writePerfSummary(perfFile, `${summary}\n${details.join('\n')}`, new URL('../docs/perf/login-perf.md', import.meta.url));
      const bareThreads = writePerfSummary(
        barePerfFile,
        `${summary}\n${details.join('\n')}`,
        new URL('../docs/perf/login-bare-perf.md', import.meta.url),
        'the bare floor (bench/login-bare.ts)',
      );
      details.push(`on-CPU (perf, which adds its own overhead to this run): ${threads.join('; ')}`);
      details.push(`on-CPU in the bare floor: ${bareThreads.join('; ')}`);
    }
    recordResult('bench:login', [...details, summary]);
    for (const line of details) console.log(line);
    console.log(summary);
  } finally {
    await stopProcess(server);
    if (bare) await stopProcess(bare);
    if (load.exitCode === null) load.kill();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
