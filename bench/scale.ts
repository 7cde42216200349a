/**
 * npm run bench:scale
 *
 * National scale: fills a PostgreSQL database of its own with COPY (pg-copy-streams) and measures
 * through the HTTP API, then does the same on a dataset 1/100 of that size, in the same run, and
 * prints per operation p50 and p99 at both sizes and the growth of p99. BENCH_SCALE (default 1)
 * is the big size as a share of the country: 1 = 5.9M patient records over 3,000 clinics, 4M
 * logins and memberships, 20M e-konsultation messages, 10M bookings, 1M login requests.
 *
 * Clinics grow with the country (3,000 at full size, 30 at 1/100), so a clinic keeps about 2,000
 * patients at every size, as real ones do: what may grow is every lookup that is not inside one
 * clinic (logins by CPR and e-mail, sessions, memberships, requests, messages, bookings) and any
 * query that scans instead of using an index. Ids are sequential UUIDs, so COPY appends to the
 * indexes instead of writing all over them. Each size is served by the production server in a
 * process of its own. Plans of the measured queries go to docs/queries/scale.plan.txt.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { systemClock } from '../src/clock.ts';
import { loadConfig } from '../src/config.ts';
import { sessionPolicyFrom } from '../src/context.ts';
import type { Database } from '../src/db/database.ts';
import { hashPassword } from '../src/features/auth/passwords.ts';
import { SmtpSink } from '../src/features/mail/smtp-sink.ts';
import { TableGpRegistry } from '../src/features/gp-registry/gp-registry.ts';
import { TableCustodyRegistry } from '../src/features/custody/custody-registry.ts';
import { csrfTokenFor } from '../src/http/staff-auth.ts';
import { patientCsrfTokenFor } from '../src/http/patient-auth.ts';
import { freshBenchDatabase } from './bench-db.ts';
import { collectClientGarbage } from './client-gc.ts';
import { FAMILY_NAMES, GIVEN_NAMES } from './names.ts';
import { BENCH_SESSION_SECRET, ensureBuild, startServer, stopProcess } from './processes.ts';
import { recordResult } from './results.ts';

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
// 600 of each: the p99 of 200 is the second-slowest request, and with requests of 1.5-3 ms one
// pause of the machine decides it (patient /me grew 3.21x, 0.87x and 0.92x in three runs). Opret
// needs a patient without a login per run, and a clinic has about 630 (the warm-up included).
const RUNS = Number(process.env.BENCH_RUNS ?? 600);
const WARMUP = 20;
const NATION = { patients: 5_900_000, clinics: 3000, accounts: 4_000_000, messages: 20_000_000, bookings: 10_000_000, requests: 1_000_000 };

/** A UUID from a table tag and a row number: unique, valid, and ascending in row order. */
const uid = (tag: number, n: number) => `${tag.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const T = { clinic: 1, patient: 2, account: 3, membership: 4, thread: 5, slot: 6, appointment: 7, request: 8 };
/** A CPR number (DDMMYY-SSSS without the dash) unique for every n below 336 million. */
const cprOf = (n: number) =>
  `${String((n % 28) + 1).padStart(2, '0')}${String((Math.floor(n / 28) % 12) + 1).padStart(2, '0')}${String(Math.floor(n / 336) % 100).padStart(2, '0')}${String(Math.floor(n / 33_600) % 10_000).padStart(4, '0')}`;

interface Size {
  label: string;
  patients: number;
  clinics: number;
  accounts: number;
  messages: number;
  bookings: number;
  requests: number;
}
const sizeOf = (label: string, share: number): Size => ({
  label,
  patients: Math.round(NATION.patients * share),
  clinics: Math.max(1, Math.round(NATION.clinics * share)),
  accounts: Math.round(NATION.accounts * share),
  messages: Math.round(NATION.messages * share),
  bookings: Math.round(NATION.bookings * share),
  requests: Math.round(NATION.requests * share),
});

/**
 * COPY rows (tab-separated text format) into a table; rows come from a generator, in chunks. The
 * usual bulk load: the table's secondary indexes are dropped first and built again after (one sort
 * per index instead of millions of random inserts into it), and foreign-key checks are off for the
 * session (session_replication_role, superuser; our generated ids are consistent by construction).
 * Primary keys stay: the sequential UUIDs append to them.
 */
async function copy(url: string, table: string, columns: string[], count: number, row: (n: number) => string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`set session_replication_role = replica`);
    await client.query(`set maintenance_work_mem = '512MB'`);
    const { rows: indexes } = await client.query<{ name: string; definition: string }>(
      `select indexname as name, indexdef as definition from pg_indexes i
        where schemaname = 'public' and tablename = $1
          and not exists (select 1 from pg_constraint c where c.conindid = format('%I', i.indexname)::regclass)`,
      [table],
    );
    for (const index of indexes) await client.query(`drop index ${index.name}`);
    function* chunks() {
      const CHUNK = 5000;
      for (let start = 0; start < count; start += CHUNK) {
        let text = '';
        for (let n = start; n < Math.min(count, start + CHUNK); n++) text += row(n) + '\n';
        yield text;
      }
    }
    await pipeline(Readable.from(chunks()), client.query(copyFrom(`copy ${table} (${columns.join(', ')}) from stdin`)));
    for (const index of indexes) await client.query(index.definition);
  } finally {
    await client.end();
  }
}

async function fill(size: Size, name: string) {
  const { db, url } = await freshBenchDatabase(name);
  const started = Date.now();
  const perClinic = Math.ceil(size.patients / size.clinics);
  const clinicOf = (patient: number) => Math.floor(patient / perClinic);
  // Patients with a login: the first `accounts` of every 59 in proportion (4.0M of 5.9M).
  const hasLogin = (patient: number) => patient % 59 < 40;
  const accountOfPatient = (patient: number) => Math.floor(patient / 59) * 40 + (patient % 59);
  const patientOfAccount = (account: number) => Math.floor(account / 40) * 59 + (account % 40);
  const hash = await hashPassword('scale benchmark password');
  const at = '2026-01-01 00:00:00+00';

  await copy(url, 'clinics', ['id', 'name', 'slug', 'specialty', 'uses_mitid', 'self_registration'], size.clinics, (c) =>
    [uid(T.clinic, c), `Klinik ${String(c)}`, `klinik-${String(c)}`, 'speciallaege', 't', 'manual'].join('\t'),
  );
  await copy(url, 'patients', ['id', 'clinic_id', 'cpr', 'given_name', 'family_name'], size.patients, (p) =>
    [uid(T.patient, p), uid(T.clinic, clinicOf(p)), cprOf(p), GIVEN_NAMES[(p * 7) % 30]!, FAMILY_NAMES[(p * 13 + Math.floor(p / 30)) % 30]!].join('\t'),
  );
  await copy(url, 'patient_accounts', ['id', 'cpr', 'email', 'password_hash', 'activated_at', 'created_at'], size.accounts, (a) =>
    [uid(T.account, a), cprOf(patientOfAccount(a)), `p${String(a)}@example.test`, hash, at, at].join('\t'),
  );
  await copy(url, 'portal_memberships', ['id', 'account_id', 'clinic_id', 'patient_id', 'rights', 'created_at'], size.accounts, (a) =>
    [
      uid(T.membership, a),
      uid(T.account, a),
      uid(T.clinic, clinicOf(patientOfAccount(a))),
      uid(T.patient, patientOfAccount(a)),
      '{econsultation,booking,renewal}',
      at,
    ].join('\t'),
  );
  // One thread per login, five messages each (20M messages for 4M logins).
  const threads = Math.ceil(size.messages / 5);
  await copy(url, 'econsultation_threads', ['id', 'clinic_id', 'patient_id', 'subject', 'created_at', 'last_message_at'], threads, (t) => {
    const patient = patientOfAccount(t % size.accounts);
    return [
      uid(T.thread, t),
      uid(T.clinic, clinicOf(patient)),
      uid(T.patient, patient),
      'Spørgsmål',
      at,
      `2026-01-01 00:${String(t % 60).padStart(2, '0')}:00+00`,
    ].join('\t');
  });
  await copy(url, 'econsultation_messages', ['thread_id', 'sender', 'body', 'created_at', 'read_at'], size.messages, (m) =>
    [uid(T.thread, Math.floor(m / 5)), m % 2 === 0 ? 'patient' : 'clinic', 'Hej, jeg har et spørgsmål om min behandling.', at, at].join('\t'),
  );
  // Past bookings: one slot each, spread over the logins.
  await copy(url, 'booking_slots', ['id', 'clinic_id', 'practitioner', 'starts_at', 'duration_minutes', 'kind', 'created_at'], size.bookings, (b) => {
    const patient = patientOfAccount(b % size.accounts);
    return [
      uid(T.slot, b),
      uid(T.clinic, clinicOf(patient)),
      'Læge',
      `2025-${String((b % 12) + 1).padStart(2, '0')}-10 08:00:00+00`,
      '15',
      'konsultation',
      at,
    ].join('\t');
  });
  await copy(url, 'appointments', ['id', 'slot_id', 'clinic_id', 'patient_id', 'booked_at'], size.bookings, (b) => {
    const patient = patientOfAccount(b % size.accounts);
    return [uid(T.appointment, b), uid(T.slot, b), uid(T.clinic, clinicOf(patient)), uid(T.patient, patient), at].join('\t');
  });
  // Login requests from people without a login, half open, half handled.
  const withoutLogin = (r: number) => Math.floor(r / 19) * 59 + 40 + (r % 19);
  await copy(
    url,
    'login_requests',
    ['id', 'clinic_id', 'cpr', 'name', 'email', 'identity_verified', 'status', 'reason', 'created_at', 'handled_at'],
    size.requests,
    (r) => {
      const patient = withoutLogin(r) % size.patients;
      const open = r % 2 === 0;
      return [
        uid(T.request, r),
        uid(T.clinic, (clinicOf(patient) + (open ? 0 : 1)) % size.clinics),
        cprOf(patient),
        'Anmoder',
        `r${String(r)}@example.test`,
        'mitid',
        open ? 'open' : 'approved',
        'manual_clinic',
        `2026-01-01 00:00:${String(r % 60).padStart(2, '0')}+00`,
        open ? '\\N' : at,
      ].join('\t');
    },
  );
  await sql`analyze`.execute(db);
  const seconds = (Date.now() - started) / 1000;
  // Then what a database that has been running a while has done, outside the fill's time, so the
  // measurements do not race autovacuum on the freshly loaded tables or a checkpoint writing them
  // out (a commit's flush then waits behind gigabytes of writeback, which shows in the writes' p99).
  const settling = Date.now();
  await sql`vacuum`.execute(db);
  await sql`checkpoint`.execute(db);
  const settled = (Date.now() - settling) / 1000;
  const bytes = (await sql<{ n: string }>`select pg_database_size(current_database())::text as n`.execute(db)).rows[0]!.n;
  return { db, url, seconds, settled, bytes: Number(bytes), perClinic, accountOfPatient, hasLogin };
}

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;

/**
 * A server on the filled database, sessions in it, and the operations to time. The server is the
 * production build in a process of its own (workers running, mail to `smtpUrl`), so this process's
 * work as the client, and its garbage collection, never land on a measured request.
 */
async function prepare(filled: Awaited<ReturnType<typeof fill>>, serverMain: string, smtpUrl: string) {
  const { db, url, perClinic, accountOfPatient, hasLogin } = filled;
  const clinic = uid(T.clinic, 0);
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: '/nonexistent',
    SESSION_SECRET: BENCH_SESSION_SECRET,
    SMTP_URL: 'smtp://127.0.0.1:1',
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
  const now = new Date();
  const later = new Date(now.getTime() + 8 * 3600_000);
  const token = (s: string) => createHash('sha256').update(s).digest('hex');

  // A secretary of clinic 0 and sessions of clinic 0's patients with a login, made directly.
  const staff = await db
    .insertInto('staff_users')
    .values({ email: 'scale@klinik.test', name: 'Scale', password_hash: 'x' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('staff_memberships').values({ user_id: staff.id, clinic_id: clinic, role: 'admin' }).execute();
  const staffSession = await db
    .insertInto('staff_sessions')
    .values({ token_hash: token('staff'), user_id: staff.id, clinic_id: clinic, created_at: now, last_seen_at: now, expires_at: later })
    .returning('id')
    .executeTakeFirstOrThrow();
  const patientsWithLogin = Array.from({ length: perClinic }, (_, p) => p).filter(hasLogin);
  const withoutLogin = Array.from({ length: perClinic }, (_, p) => p).filter((p) => !hasLogin(p));
  const sessions: { cookie: string; csrf: string }[] = [];
  for (const p of patientsWithLogin.slice(0, RUNS + WARMUP)) {
    const s = await db
      .insertInto('patient_sessions')
      .values({
        token_hash: token(`patient-${String(p)}`),
        account_id: uid(T.account, accountOfPatient(p)),
        created_at: now,
        last_seen_at: now,
        expires_at: later,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    sessions.push({ cookie: `pp_patient_session=patient-${String(p)}`, csrf: patientCsrfTokenFor(ctx, s.id) });
  }
  // Free times to book next week. The patient sees the first 200 free ones, so the warm-up books the
  // earliest and the measured runs the rest in order.
  const slots = await db
    .insertInto('booking_slots')
    .values(
      Array.from({ length: RUNS + WARMUP }, (_, i) => ({
        clinic_id: clinic,
        practitioner: 'Læge',
        starts_at: new Date(now.getTime() + 7 * 86_400_000 + i * 900_000),
        duration_minutes: 15,
        kind: 'konsultation',
        created_at: now,
      })),
    )
    .returning('id')
    .execute();
  await sql`analyze`.execute(db);

  const { server, base } = await startServer(serverMain, { databaseUrl: url, smtpUrl });
  const staffHeaders = { cookie: `pp_staff_session=staff`, 'x-csrf-token': csrfTokenFor(ctx, staffSession.id) };
  const timed = async (path: string, init: RequestInit & { headers: Record<string, string> }, expect = 200) => {
    collectClientGarbage();
    const start = performance.now();
    const response = await fetch(`${base}${path}`, init);
    await response.arrayBuffer();
    const ms = performance.now() - start;
    if (response.status !== expect) throw new Error(`${path}: ${String(response.status)}`);
    return ms;
  };
  const json = { 'content-type': 'application/json' };
  const search = (q: string) =>
    timed(`/api/clinics/${clinic}/patients/search`, { method: 'POST', headers: { ...staffHeaders, ...json }, body: JSON.stringify({ q }) });
  const operations: Record<string, (i: number) => Promise<number>> = {
    'search by CPR': (i) => search(cprOf(i % perClinic).slice(0, 6)),
    'search by name prefix': (i) => search(['Jens', 'Sør', 'Øster', 'Anne H', 'Aage'][i % 5]!),
    'Patientportal form': (i) =>
      timed(`/api/clinics/${clinic}/patients/${uid(T.patient, patientsWithLogin[i % patientsWithLogin.length]!)}/portal`, { headers: staffHeaders }),
    Opret: (i) =>
      timed(
        `/api/clinics/${clinic}/patients/${uid(T.patient, withoutLogin[i]!)}/portal`,
        {
          method: 'POST',
          headers: { ...staffHeaders, ...json },
          body: JSON.stringify({ email: `new${String(i)}@example.test`, rights: ['econsultation'], wantsElectronicReply: true }),
        },
        201,
      ),
    'patient /me': (i) => timed('/api/patient/me', { headers: { cookie: sessions[i % sessions.length]!.cookie } }),
    'patient clinic page (threads)': (i) =>
      timed(`/api/patient/clinics/${clinic}/econsultations`, { headers: { cookie: sessions[i % sessions.length]!.cookie } }),
    'queue page': () => timed(`/api/login-requests?clinicId=${clinic}`, { headers: staffHeaders }),
    'staff inbox': () => timed(`/api/clinics/${clinic}/econsultations`, { headers: staffHeaders }),
    'book a time': (i) =>
      timed(
        `/api/patient/clinics/${clinic}/appointments`,
        {
          method: 'POST',
          headers: { cookie: sessions[i]!.cookie, 'x-csrf-token': sessions[i]!.csrf, ...json },
          body: JSON.stringify({ slotId: slots[(i + WARMUP) % slots.length]!.id }),
        },
        201,
      ),
  };
  return { operations, close: () => stopProcess(server) };
}

async function writePlans(db: Database, clinic: string) {
  const options = sql`analyze, buffers, costs off, timing off, summary off`;
  const plans: [string, string][] = [
    [
      'search by name prefix',
      `with m as materialized (select id, cpr, given_name, family_name from patients where clinic_id = '${clinic}' and (patient_name_key(family_name || ' ' || given_name) like patient_name_key('sør%') or patient_name_key(given_name || ' ' || family_name) like patient_name_key('sør%'))) select * from m order by family_name, given_name, id limit 50`,
    ],
    [
      'search by CPR',
      `select id, cpr, given_name, family_name from patients where clinic_id = '${clinic}' and cpr >= '0101000000' and cpr <= '0101009999' order by family_name, given_name, id limit 50`,
    ],
    ['login by e-mail', `select id from patient_accounts where lower(email) = 'p1234@example.test'`],
  ];
  let text = '-- Generated by npm run bench:scale at the big size: plans of queries the measured operations run.\n';
  for (const [name, query] of plans) {
    const rows = await sql.raw<Record<string, string>>(`explain (${options.compile(db).sql}) ${query}`).execute(db);
    text += `\n-- ${name}\n${query}\n${rows.rows.map((r) => Object.values(r)[0]).join('\n')}\n`;
  }
  writeFileSync(new URL('../docs/queries/scale.plan.txt', import.meta.url), text);
}

async function dropDatabase(name: string) {
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}

async function main() {
  const big = sizeOf(`x${String(SCALE)}`, SCALE);
  const small = sizeOf(`x${String(SCALE / 100)}`, SCALE / 100);
  const out: string[] = [];
  const filled = [];
  for (const [size, name] of [
    [small, 'pp_bench_scale_small'],
    [big, 'pp_bench_scale_big'],
  ] as const) {
    const f = await fill(size, name);
    const line = `${size.label}: ${String(size.patients)} patients, ${String(size.clinics)} clinics, ${String(size.accounts)} logins, ${String(size.messages)} messages, ${String(size.bookings)} bookings, ${String(size.requests)} requests; fill ${f.seconds.toFixed(0)} s (then vacuum and checkpoint ${f.settled.toFixed(0)} s), database ${(f.bytes / 2 ** 30).toFixed(2)} GiB`;
    console.log(line);
    out.push(line);
    filled.push(f);
  }
  await sql`checkpoint`.execute(filled[1]!.db); // not in the middle of the measurements
  // Both sizes served at once and timed in alternation, request by request, so that load from
  // elsewhere on the machine falls on both alike.
  const serverMain = ensureBuild();
  const sink = new SmtpSink(100);
  await sink.listen();
  const [a, b] = [await prepare(filled[0]!, serverMain, sink.url), await prepare(filled[1]!, serverMain, sink.url)];
  const runs: Record<string, Record<string, { p50: number; p99: number }>> = { [small.label]: {}, [big.label]: {} };
  for (const name of Object.keys(a.operations)) {
    const [opA, opB] = [a.operations[name]!, b.operations[name]!];
    for (let i = 0; i < WARMUP; i++) {
      await opA(RUNS + i); // warm up, on rows the measured runs do not use
      await opB(RUNS + i);
    }
    const timesA: number[] = [];
    const timesB: number[] = [];
    // Each size goes first in every other round: as in bench:queue, a slow tail can follow the
    // place in the round rather than the request, and a fixed order would give it to one size.
    for (let i = 0; i < RUNS; i++) {
      if (i % 2 === 0) {
        timesA.push(await opA(i));
        timesB.push(await opB(i));
      } else {
        timesB.push(await opB(i));
        timesA.push(await opA(i));
      }
    }
    runs[small.label]![name] = { p50: percentile(timesA, 50), p99: percentile(timesA, 99) };
    runs[big.label]![name] = { p50: percentile(timesB, 50), p99: percentile(timesB, 99) };
  }
  await a.close();
  await b.close();
  await sink.close();
  await writePlans(filled[1]!.db, uid(T.clinic, 0));
  for (const [i, name] of ['pp_bench_scale_small', 'pp_bench_scale_big'].entries()) {
    await filled[i]!.db.destroy();
    await dropDatabase(name); // the big one takes gigabytes
  }
  let worst = 0;
  let worstMedian = 0;
  for (const name of Object.keys(runs[small.label]!)) {
    const a = runs[small.label]![name]!;
    const b = runs[big.label]![name]!;
    const growth = b.p99 / a.p99;
    worst = Math.max(worst, growth);
    worstMedian = Math.max(worstMedian, b.p50 / a.p50);
    out.push(
      `${name}: ${small.label} p50 ${a.p50.toFixed(1)} p99 ${a.p99.toFixed(1)} ms; ${big.label} p50 ${b.p50.toFixed(1)} p99 ${b.p99.toFixed(1)} ms; growth p50 ${(b.p50 / a.p50).toFixed(2)}x, p99 ${growth.toFixed(2)}x`,
    );
  }
  const summary = `scale: ${String(big.patients)} vs ${String(small.patients)} patients; worst p99 growth ${worst.toFixed(2)}x (target <= 1.5x), worst p50 growth ${worstMedian.toFixed(2)}x`;
  out.push(summary);
  recordResult('bench:scale', out);
  for (const line of out.slice(2)) console.log(line);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
