/**
 * npm run bench:login
 *
 * Complete patient logins (password, then the mailed 8-digit code) through the HTTP API against
 * PostgreSQL (DATABASE_URL, the local server by default, in a database of its own), compared with
 * what this machine can do at all: argon2id verifications per second per core, measured in the
 * same run. Each login costs one argon2id verification, so that is its ceiling.
 */
import { availableParallelism } from 'node:os';
import { verify } from '@node-rs/argon2';
import { sql } from 'kysely';
import { buildApp } from '../src/app.ts';
import { systemClock } from '../src/clock.ts';
import { loadConfig } from '../src/config.ts';
import { sessionPolicyFrom } from '../src/context.ts';
import { hashPassword } from '../src/features/auth/passwords.ts';
import { TableGpRegistry } from '../src/features/gp-registry/gp-registry.ts';
import { MailWorker } from '../src/features/mail/mail-worker.ts';
import { SmtpSink } from '../src/features/mail/smtp-sink.ts';
import { freshBenchDatabase } from './bench-db.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 32);
const ACCOUNTS = 500;
const PASSWORD = 'benchmark password that is long';
const cores = availableParallelism();

async function argon2Ceiling(hash: string): Promise<number> {
  const until = Date.now() + SECONDS * 1000;
  let done = 0;
  // As many verifications in flight as the thread pool runs at once.
  await Promise.all(
    Array.from({ length: Math.max(cores, 4) }, async () => {
      while (Date.now() < until) {
        await verify(hash, PASSWORD);
        done++;
      }
    }),
  );
  return done / SECONDS / cores;
}

async function main() {
  const { db } = await freshBenchDatabase('pp_bench_login');
  const passwordHash = await hashPassword(PASSWORD);
  const ceiling = await argon2Ceiling(passwordHash);

  const clinic = await db.insertInto('clinics').values({ name: 'Bench', slug: 'bench', specialty: 'speciallaege' }).returning('id').executeTakeFirstOrThrow();
  const emails: string[] = [];
  for (let i = 0; i < ACCOUNTS; i++) {
    const cpr = `0101${String(50 + (i % 40)).padStart(2, '0')}${String(i).padStart(4, '0')}`;
    const email = `bench${i}@example.test`;
    emails.push(email);
    const account = await db
      .insertInto('patient_accounts')
      .values({ cpr, email, password_hash: passwordHash, activated_at: new Date(), created_at: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
    const patient = await db
      .insertInto('patients')
      .values({ clinic_id: clinic.id, cpr, given_name: 'Bench', family_name: String(i) })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('portal_memberships')
      .values({ account_id: account.id, clinic_id: clinic.id, patient_id: patient.id, rights: ['econsultation'], created_at: new Date() })
      .execute();
  }

  const smtp = new SmtpSink(ACCOUNTS * 4);
  await smtp.listen(0);
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: '/nonexistent',
    SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-0',
    SMTP_URL: smtp.url,
    AUTH_RATE_LIMIT_PER_MINUTE: '100000',
  });
  const ctx = { config, db, clock: systemClock, sessionPolicy: sessionPolicyFrom(config), mitid: null, gpRegistry: new TableGpRegistry(db) };
  const app = await buildApp({ ctx });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const worker = new MailWorker({ db, clock: systemClock, smtpUrl: smtp.url, from: 'bench@example.test', log: console, pollMs: 5, batchSize: 50 });
  worker.start();

  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${address}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return response.json() as Promise<Record<string, string>>;
  };
  const codeFor = async (email: string, after: number) => {
    const mail = await smtp.waitFor(email, 30_000, after);
    return /sikkerhedskode er: (\d{8})/.exec(mail.text)![1]!;
  };

  let completed = 0;
  let next = 0;
  const until = Date.now() + SECONDS * 1000;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (Date.now() < until) {
        const email = emails[next++ % ACCOUNTS]!;
        const lastSeen = smtp.lastId;
        const { challengeId } = await post('/api/patient/login', { identifier: email, password: PASSWORD });
        const code = await codeFor(email, lastSeen);
        const { csrfToken } = await post('/api/patient/login/code', { challengeId, code });
        if (!csrfToken) throw new Error('no session');
        completed++;
      }
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  await worker.stop();
  await app.close();
  await smtp.close();
  const sessions = await sql<{ n: number }>`select count(*)::int as n from patient_sessions`.execute(db);
  await db.destroy();

  const perCore = completed / elapsed / cores;
  console.log(`cores: ${cores}, clients: ${CLIENTS}, seconds: ${elapsed.toFixed(1)}, logins: ${completed}, sessions: ${sessions.rows[0]!.n}`);
  console.log(`login: ${perCore.toFixed(1)}/s per core = ${((perCore / ceiling) * 100).toFixed(0)}% of argon2id ceiling ${ceiling.toFixed(1)}/s per core`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
