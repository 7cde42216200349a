/**
 * npm run bench:enumeration
 *
 * Does the time of an answer tell whether an account exists? For every endpoint that takes an
 * identifier (patient "Glemt adgangskode", patient login, staff login), 200 requests for existing
 * accounts and 200 for unknown ones, interleaved in random order over real HTTP on loopback
 * against PostgreSQL (DATABASE_URL, the local server by default, in a database of its own). Each
 * request uses a fresh identifier, so the slow-down never answers instead of the check. The two
 * samples are compared with a Mann-Whitney rank test; |z| < 3 means the time does not tell.
 */
import { hashPassword } from '../src/features/auth/passwords.ts';
import { buildApp } from '../src/app.ts';
import { systemClock } from '../src/clock.ts';
import { loadConfig } from '../src/config.ts';
import { sessionPolicyFrom } from '../src/context.ts';
import { TableGpRegistry } from '../src/features/gp-registry/gp-registry.ts';
import { TableCustodyRegistry } from '../src/features/custody/custody-registry.ts';
import { freshBenchDatabase } from './bench-db.ts';

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200);
const WARMUP = 30;
const PASSWORD = 'benchmark password that is long';

/** Mann-Whitney U as a z score (normal approximation, mid-ranks for ties). */
export function rankZ(a: number[], b: number[]): number {
  const all = [...a.map((v) => ({ v, a: true })), ...b.map((v) => ({ v, a: false }))].sort((x, y) => x.v - y.v);
  let rankSumA = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.v === all[i]!.v) j++;
    const midRank = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) if (all[k]!.a) rankSumA += midRank;
    i = j + 1;
  }
  const n1 = a.length;
  const n2 = b.length;
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  return (u - (n1 * n2) / 2) / Math.sqrt((n1 * n2 * (n1 + n2 + 1)) / 12);
}

const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;

function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

async function main() {
  const { db } = await freshBenchDatabase('pp_bench_enumeration');
  const passwordHash = await hashPassword(PASSWORD);
  const total = SAMPLES + WARMUP;
  const patients: { cpr: string; email: string }[] = [];
  const staff: string[] = [];
  for (let i = 0; i < total; i++) {
    const cpr = `0201${String(50 + (i % 40)).padStart(2, '0')}${String(i).padStart(4, '0')}`;
    const email = `known${String(i)}@example.test`;
    patients.push({ cpr, email });
    await db.insertInto('patient_accounts').values({ cpr, email, password_hash: passwordHash, activated_at: new Date(), created_at: new Date() }).execute();
    const staffEmail = `staff${String(i)}@klinik.test`;
    staff.push(staffEmail);
    await db.insertInto('staff_users').values({ email: staffEmail, name: 'Bench', password_hash: passwordHash }).execute();
  }

  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: '/nonexistent',
    SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-0',
    SMTP_URL: 'smtp://127.0.0.1:9',
    AUTH_RATE_LIMIT_PER_MINUTE: '100000',
  });
  const ctx = {
    config,
    db,
    clock: systemClock,
    sessionPolicy: sessionPolicyFrom(config),
    mitid: null,
    gpRegistry: new TableGpRegistry(db),
    custody: new TableCustodyRegistry(db),
  };
  const app = await buildApp({ ctx });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });

  const timed = async (path: string, body: unknown, expected: number) => {
    const started = process.hrtime.bigint();
    const response = await fetch(`${address}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await response.arrayBuffer();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (response.status !== expected) throw new Error(`${path}: ${String(response.status)}, expected ${String(expected)}`);
    return ms;
  };

  const endpoints: { name: string; path: string; status: number; known: (i: number) => unknown; unknown: (i: number) => unknown }[] = [
    {
      name: 'forgot-password',
      path: '/api/patient/forgot-password',
      status: 200,
      known: (i) => ({ identifier: i % 2 ? patients[i]!.email : patients[i]!.cpr }),
      unknown: (i) => ({ identifier: i % 2 ? `ghost${String(i)}@example.test` : `0301${String(50 + (i % 40)).padStart(2, '0')}${String(i).padStart(4, '0')}` }),
    },
    {
      name: 'login',
      path: '/api/patient/login',
      status: 401,
      known: (i) => ({ identifier: i % 2 ? patients[i]!.email : patients[i]!.cpr, password: 'a wrong password guess' }),
      unknown: (i) => ({
        identifier: i % 2 ? `nobody${String(i)}@example.test` : `0401${String(50 + (i % 40)).padStart(2, '0')}${String(i).padStart(4, '0')}`,
        password: 'a wrong password guess',
      }),
    },
    {
      name: 'staff login',
      path: '/api/auth/login',
      status: 401,
      known: (i) => ({ email: staff[i]!, password: 'a wrong password guess' }),
      unknown: (i) => ({ email: `nobody${String(i)}@klinik.test`, password: 'a wrong password guess' }),
    },
  ];

  const results: string[] = [];
  for (const endpoint of endpoints) {
    const known: number[] = [];
    const unknown: number[] = [];
    const order = shuffled(Array.from({ length: total * 2 }, (_, n) => ({ i: Math.floor(n / 2), exists: n % 2 === 0 })));
    for (const { i, exists } of order) {
      const ms = await timed(endpoint.path, exists ? endpoint.known(i) : endpoint.unknown(i), endpoint.status);
      (exists ? known : unknown).push(ms);
    }
    // The first requests of each kind warm up the JIT, the pool and argon2's threads.
    const a = known.slice(WARMUP);
    const b = unknown.slice(WARMUP);
    const z = rankZ(a, b);
    console.log(
      `${endpoint.name}: p50 known ${median(a).toFixed(2)} ms, unknown ${median(b).toFixed(2)} ms, z=${z.toFixed(1)} (${String(a.length)}/${String(b.length)})`,
    );
    results.push(`${endpoint.name} z=${z.toFixed(1)}`);
  }
  await app.close();
  await db.destroy();
  console.log(`enumeration: ${results.join(', ')} (${String(SAMPLES)} samples each)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
