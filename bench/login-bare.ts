/**
 * bench:login's floor: the same two-step login done with the same libraries and nothing else, to
 * learn what a login costs besides argon2id before any of the product is added. A bare Fastify
 * server (no logger, hooks, schemas, cookies plugin or security headers) on a bare pg pool (named
 * prepared statements, no query builder) with @node-rs/argon2 (as many at once as the product
 * runs) and nodemailer's pooled SMTP transport. Per login it does only what no login can skip,
 * and keeps our rule that a code mail commits with its challenge:
 *   - the password step: the account by e-mail, argon2id, then one statement that writes the
 *     challenge and its mail together; the answer goes out, then the mail is sent and marked sent;
 *   - the code step: one statement that uses the code and opens the session.
 * No rate limit, guess throttle, audit row, device cookie, CSRF, request log or metrics. Started
 * by bench/login.ts in a process of its own; PORT, DATABASE_URL and SMTP_URL.
 *
 * It runs by Node's own type stripping, so that nothing but the libraries runs in it: under tsx's
 * loader, tsx's own frames showed in the floor's perf profile (BENCH_PERF=1). So it imports none of
 * our code but the mail templates (plain TypeScript Node can strip), and no loader is in the way.
 */
import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { verify } from '@node-rs/argon2';
import Fastify from 'fastify';
import nodemailer from 'nodemailer';
import pLimit from 'p-limit';
import pg from 'pg';
import { templates } from '../src/features/mail/templates.ts';

// As many hashes at once as the product runs (HASHES_AT_ONCE in src/features/auth/passwords.ts).
const threadPoolSize = Number.parseInt(process.env.UV_THREADPOOL_SIZE ?? '', 10) || 4;
const hashing = pLimit(Math.max(1, Math.min(availableParallelism(), threadPoolSize - 1)));
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const smtp = new URL(process.env.SMTP_URL ?? '');
const transport = nodemailer.createTransport({ host: smtp.hostname, port: Number(smtp.port), secure: false, pool: true, maxConnections: 5 });
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

await pool.query(`
  create table if not exists bare_challenges (id uuid primary key, account_id uuid not null, code_hash text not null, expires_at timestamptz not null, used_at timestamptz);
  create table if not exists bare_mails (id bigserial primary key, to_address text not null, subject text not null, text_body text, sent_at timestamptz);
  create table if not exists bare_sessions (token_hash text primary key, account_id uuid not null, expires_at timestamptz not null)`);

const app = Fastify();

async function sendAndMark(mail: { id: string; to: string; subject: string; text: string }) {
  await transport.sendMail({
    from: 'Patientportal <noreply@patientportal.test>',
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    messageId: `<${randomUUID()}@patientportal.test>`,
    headers: { 'X-Patientportal-Mail-Id': mail.id },
  });
  await pool.query({ name: 'sent', text: 'update bare_mails set sent_at = now(), text_body = null where id = $1', values: [mail.id] });
}

app.post<{ Body: { identifier: string; password: string } }>('/api/patient/login', async (request, reply) => {
  const { identifier, password } = request.body;
  const found = await pool.query<{ id: string; email: string; password_hash: string }>({
    name: 'account',
    text: 'select id, email, password_hash from patient_accounts where lower(email) = $1 and deleted_at is null and activated_at is not null',
    values: [identifier.trim().toLowerCase()],
  });
  const account = found.rows[0];
  if (!account || !(await hashing(() => verify(account.password_hash, password)))) return reply.code(401).send({ error: 'invalid_credentials' });
  const code = String(randomInt(0, 100_000_000)).padStart(8, '0');
  const challengeId = randomUUID();
  // The product's code mail, Danish and English (CODE_TTL_MS in patient-login.ts is 10 minutes).
  const { subject, text } = templates.patientLoginCode({ code, validMinutes: 10 });
  const mail = await pool.query<{ id: string }>({
    name: 'challenge',
    text: `with challenge as (insert into bare_challenges (id, account_id, code_hash, expires_at) values ($1, $2, $3, now() + interval '10 minutes'))
      insert into bare_mails (to_address, subject, text_body) values ($4, $5, $6) returning id`,
    values: [challengeId, account.id, sha256(code), account.email, subject, text],
  });
  // A failed send is reported, not retried: the benchmark then stops, waiting for the mail.
  sendAndMark({ id: mail.rows[0]!.id, to: account.email, subject, text }).catch((error: unknown) => console.error('the code mail failed', error));
  return { challengeId };
});

app.post<{ Body: { challengeId: string; code: string } }>('/api/patient/login/code', async (request, reply) => {
  const token = randomBytes(32).toString('base64url');
  const opened = await pool.query({
    name: 'session',
    text: `with used as (update bare_challenges set used_at = now() where id = $1 and code_hash = $2 and used_at is null and expires_at > now() returning account_id)
      insert into bare_sessions (token_hash, account_id, expires_at) select $3, account_id, now() + interval '30 minutes' from used returning account_id`,
    values: [request.body.challengeId, sha256(request.body.code), sha256(token)],
  });
  if (opened.rowCount !== 1) return reply.code(401).send({ error: 'invalid_code' });
  void reply.header('set-cookie', `pp_session=${token}; Path=/; HttpOnly; Secure; SameSite=Lax`);
  return { csrfToken: randomBytes(16).toString('base64url') };
});

app.get('/health', () => ({ ok: true }));

process.on('SIGTERM', () => {
  void app.close().then(async () => {
    transport.close();
    await pool.end();
  });
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
