/**
 * npm run bench:sync
 *
 * Bulk upsert throughput: 100,000 patients (BENCH_PATIENTS) sent by a clinic system as NDJSON in
 * batches of 1,000 lines, with a bearer token, through the HTTP API (in process) into a
 * PostgreSQL database of the benchmark's own (DATABASE_URL's server, the local one by default).
 * Two clients send at once, as a clinic system with two workers would. Then the same 100,000 again,
 * which must all answer unchanged.
 */
import { buildApp } from '../src/app.ts';
import { systemClock } from '../src/clock.ts';
import { loadConfig } from '../src/config.ts';
import { sessionPolicyFrom } from '../src/context.ts';
import { TableGpRegistry } from '../src/features/gp-registry/gp-registry.ts';
import { TableCustodyRegistry } from '../src/features/custody/custody-registry.ts';
import { createIntegration } from '../src/features/integrations/integrations.ts';
import { freshBenchDatabase } from './bench-db.ts';

const TOTAL = Number(process.env.BENCH_PATIENTS ?? 100_000);
const BATCH = 1000;
const CLIENTS = 2;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

/** A valid-in-form CPR per index: day 01-28, month 01-12, year 50-99, serial 0000-9999 (unique up to 1.68 M). */
function cprOf(i: number): string {
  const serial = i % 10_000;
  const rest = Math.floor(i / 10_000);
  const day = (rest % 28) + 1;
  const month = (Math.floor(rest / 28) % 12) + 1;
  const year = 50 + Math.floor(rest / (28 * 12));
  return `${String(day).padStart(2, '0')}${String(month).padStart(2, '0')}${year}${String(serial).padStart(4, '0')}`;
}

const lineOf = (i: number) =>
  JSON.stringify({
    externalId: `EPJ-${i}`,
    cpr: cprOf(i),
    givenName: `Fornavn${i}`,
    familyName: `Efternavn${i % 5000}`,
    address: `Testvej ${i % 300}`,
    postalCode: '8000',
    city: 'Aarhus C',
    phone: String(20_000_000 + i),
    email: `patient${i}@example.test`,
  });

async function main() {
  const { db } = await freshBenchDatabase('pp_bench_sync');
  const config = loadConfig({
    NODE_ENV: 'test',
    SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-0',
    PUBLIC_URL: 'http://localhost:3000',
    DATA_DIR: '/nonexistent',
    SMTP_URL: 'smtp://127.0.0.1:1',
  });
  const app = await buildApp({
    ctx: {
      config,
      db,
      clock: systemClock,
      sessionPolicy: sessionPolicyFrom(config),
      mitid: null,
      gpRegistry: new TableGpRegistry(db),
      custody: new TableCustodyRegistry(db),
    },
  });
  await app.ready();
  const clinic = await db.insertInto('clinics').values({ name: 'Bench', slug: 'bench', specialty: 'speciallaege' }).returning('id').executeTakeFirstOrThrow();
  const credentials = await createIntegration(
    db,
    { name: 'Bench-EPJ', clinicIds: [clinic.id], scopes: ['patients:write'] },
    { type: 'cli', id: null, ip: null },
    new Date(),
  );
  await db.updateTable('integrations').set({ rate_limit_per_minute: 1_000_000 }).execute();
  const tokenResponse = await app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString('base64')}`,
    },
    payload: 'grant_type=client_credentials',
  });
  const token = tokenResponse.json<{ access_token: string }>().access_token;

  const run = async (label: string, expected: string) => {
    const batches = Array.from({ length: Math.ceil(TOTAL / BATCH) }, (_, b) =>
      Array.from({ length: Math.min(BATCH, TOTAL - b * BATCH) }, (_, k) => lineOf(b * BATCH + k)).join('\n'),
    );
    const durations: number[] = [];
    const counts = new Map<string, number>();
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next < batches.length) {
          const body = batches[next++]!;
          const t0 = performance.now();
          const response = await app.inject({
            method: 'POST',
            url: `/api/clinics/${clinic.id}/patients/bulk`,
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
            payload: body,
          });
          durations.push(performance.now() - t0);
          if (response.statusCode !== 200) throw new Error(`batch failed: ${response.statusCode} ${response.body.slice(0, 300)}`);
          for (const line of response.body.trim().split('\n')) {
            const result = (JSON.parse(line) as { result: string }).result;
            counts.set(result, (counts.get(result) ?? 0) + 1);
          }
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    if (counts.get(expected) !== TOTAL) throw new Error(`${label}: expected ${TOTAL} ${expected}, got ${JSON.stringify(Object.fromEntries(counts))}`);
    return `${label}: ${TOTAL} patients in ${seconds.toFixed(1)} s = ${Math.round(TOTAL / seconds)}/s; p99 per ${BATCH}-line batch ${percentile(durations, 99).toFixed(0)} ms`;
  };
  const created = await run('sync', 'created');
  console.log(await run('sync again (all unchanged)', 'unchanged'));
  // The figure that counts, the first load, last.
  console.log(created);
  await app.close();
  await db.destroy();
}

await main();
