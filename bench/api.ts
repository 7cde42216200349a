/**
 * npm run bench:api
 *
 * The staff API's overhead: throughput of the staff patient search (POST
 * /api/clinics/:clinicId/patients/search, the term in the body) through the full stack - the compiled server
 * (dist/server/main.js, NODE_ENV=production, its request log on) with a logged-in staff session:
 * cookie, session lookup, clinic scope, schema validation and serialisation - against a bare
 * Fastify route running the same SQL (bench/api-bare.ts). Each server runs in a process of its
 * own, and so does the load generator (bench/http-load.ts), with the same concurrency and the same
 * URLs; the two are measured in alternating rounds in the same run.
 */
import { sql } from 'kysely';
import { hashPassword } from '../src/features/auth/passwords.ts';
import { freshBenchDatabase } from './bench-db.ts';
import { FAMILY_NAMES, GIVEN_NAMES } from './names.ts';
import { ensureBuild, freePort, runJson, startProcess, startServer, stopProcess } from './processes.ts';
import { recordResult } from './results.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CONCURRENCY = Number(process.env.BENCH_CLIENTS ?? 16);
const PATIENTS = 20_000;
const QUERIES = ['Jensen', 'Søren', 'Møller', 'Åse', '0101', '1203', 'anne han', '2512'];

interface Load {
  requests: number;
  errors: number;
  seconds: number;
}

async function main() {
  const main = ensureBuild();
  const { db, url } = await freshBenchDatabase('pp_bench_api');
  // The measured clinic with PATIENTS patients among 50 others of 1,000 each.
  await sql`insert into clinics (name, slug, specialty) select 'Klinik ' || i, 'klinik-' || i, 'speciallaege' from generate_series(1, 51) i`.execute(db);
  const family = sql.val(FAMILY_NAMES);
  const given = sql.val(GIVEN_NAMES);
  await sql`insert into patients (clinic_id, cpr, given_name, family_name)
    select c.id, lpad((i % 28 + 1)::text, 2, '0') || lpad((i / 28 % 12 + 1)::text, 2, '0') || lpad((i / 336 % 100)::text, 2, '0') || lpad((i % 10000)::text, 4, '0'),
      (${given}::text[])[i % 30 + 1], (${family}::text[])[i / 30 % 30 + 1]
    from generate_series(0, ${PATIENTS + 50 * 1000 - 1}) i
    join clinics c on c.slug = 'klinik-' || case when i < ${PATIENTS} then 1 else 2 + (i - ${PATIENTS}) / 1000 end`.execute(db);
  await sql`analyze`.execute(db);
  const clinic = (await db.selectFrom('clinics').select('id').where('slug', '=', 'klinik-1').executeTakeFirstOrThrow()).id;
  const user = await db
    .insertInto('staff_users')
    .values({ email: 'bench@klinik.test', name: 'Bench', password_hash: await hashPassword('bench password long') })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('staff_memberships').values({ user_id: user.id, clinic_id: clinic, role: 'staff' }).execute();
  await db.destroy();

  const { server: full, base: fullBase } = await startServer(main, { databaseUrl: url, smtpUrl: 'smtp://127.0.0.1:1' });
  const fullPort = Number(new URL(fullBase).port);
  const barePort = await freePort();
  const bare = await startProcess('bench/api-bare.ts', [], { DATABASE_URL: url, PORT: String(barePort) }, `http://127.0.0.1:${String(barePort)}/`);
  try {
    const login = await fetch(`http://127.0.0.1:${String(fullPort)}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bench@klinik.test', password: 'bench password long' }),
    });
    if (!login.ok) throw new Error(`login: ${String(login.status)} ${await login.text()}`);
    const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const staffHeaders = { cookie, 'x-csrf-token': csrfToken };
    const searchUrl = (port: number) => `http://127.0.0.1:${String(port)}/api/clinics/${clinic}/patients/search`;
    const urls = (port: number) => QUERIES.map((q) => `POST ${searchUrl(port)} ${JSON.stringify({ q })}`);
    const post = (port: number, headers: Record<string, string>) =>
      fetch(searchUrl(port), { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ q: QUERIES[0] }) });
    const check = await post(fullPort, staffHeaders);
    const checkBare = await post(barePort, {});
    const [a, b] = [(await check.json()) as { patients: unknown[] }, (await checkBare.json()) as { patients: unknown[] }];
    if (a.patients.length !== 50 || b.patients.length !== 50) throw new Error('the search should fill a page of 50');

    const load = (port: number, seconds: number) =>
      runJson<Load>('bench/http-load.ts', [String(seconds), String(CONCURRENCY), JSON.stringify(port === fullPort ? staffHeaders : {}), ...urls(port)]);
    await load(fullPort, 2); // warm up both (JIT, pool)
    await load(barePort, 2);
    const totals = { full: { requests: 0, errors: 0, seconds: 0 }, bare: { requests: 0, errors: 0, seconds: 0 } };
    const rounds: string[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      for (const [name, port] of [
        ['full', fullPort],
        ['bare', barePort],
      ] as const) {
        const r = await load(port, SECONDS);
        totals[name].requests += r.requests;
        totals[name].errors += r.errors;
        totals[name].seconds += r.seconds;
        rounds.push(`round ${String(i + 1)} ${name}: ${(r.requests / r.seconds).toFixed(0)} req/s (${String(r.errors)} errors)`);
        console.log(rounds.at(-1));
      }
    }
    if (totals.full.errors + totals.bare.errors > 0) throw new Error('requests failed');
    const fullRate = totals.full.requests / totals.full.seconds;
    const bareRate = totals.bare.requests / totals.bare.seconds;
    const summary = `api: ${fullRate.toFixed(0)} req/s vs bare ${bareRate.toFixed(0)} req/s = ${((fullRate / bareRate) * 100).toFixed(0)}%`;
    recordResult('bench:api', [`concurrency ${String(CONCURRENCY)}, ${String(ROUNDS)} rounds of ${String(SECONDS)} s each`, ...rounds, summary]);
    console.log(summary);
  } finally {
    await stopProcess(full);
    await stopProcess(bare);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
