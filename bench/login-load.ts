/**
 * bench:login's load generator and mail receiver, in a process of their own so that the server's
 * CPU time counts the server only. Started by bench/login.ts with an IPC channel:
 *   -> { type: 'smtp', url }            once the SMTP server listens
 *   <- { type: 'run', base, emails, password, seconds, clients, warmup }
 *   -> { type: 'warm' }                 after the warm-up logins; waits for { type: 'go' }
 *   -> { type: 'done', completed, seconds }
 * and a run again for each server measured, until { type: 'end' }.
 */
import { Agent, request } from 'node:http';
import { SmtpSink } from '../src/features/mail/smtp-sink.ts';

interface Run {
  type: 'run';
  base: string;
  emails: string[];
  password: string;
  seconds: number;
  clients: number;
  warmup: number;
}
type Message = Run | { type: 'go' } | { type: 'end' };

const send = (message: object) => process.send?.(message);
// Messages in the order they came, so none is missed while a run is busy.
const inbox: Message[] = [];
const waiting: (() => void)[] = [];
process.on('message', (m) => {
  inbox.push(m as Message);
  waiting.splice(0).forEach((wake) => wake());
});
async function next(): Promise<Message> {
  while (inbox.length === 0) await new Promise<void>((resolve) => waiting.push(resolve));
  return inbox.shift()!;
}

/** Warms the server at run.base up, waits for go, then measures its logins. */
async function measure(run: Run, smtp: SmtpSink) {
  const agent = new Agent({ keepAlive: true, maxSockets: run.clients });
  const post = (path: string, body: unknown) =>
    new Promise<Record<string, string>>((resolve, reject) => {
      const payload = JSON.stringify(body);
      const req = request(
        `${run.base}${path}`,
        { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.once('end', () => {
            if (res.statusCode !== 200) reject(new Error(`${path}: ${String(res.statusCode)} ${text}`));
            else resolve(JSON.parse(text) as Record<string, string>);
          });
        },
      );
      req.once('error', reject);
      req.end(payload);
    });

  let cursor = 0;
  const login = async () => {
    const email = run.emails[cursor++ % run.emails.length]!;
    const lastSeen = smtp.lastId;
    const { challengeId } = await post('/api/patient/login', { identifier: email, password: run.password });
    const mail = await smtp.waitFor(email, 30_000, lastSeen);
    const code = /sikkerhedskode er: (\d{8})/.exec(mail.text)?.[1];
    if (!code) throw new Error('no code in the mail');
    const { csrfToken } = await post('/api/patient/login/code', { challengeId, code });
    if (!csrfToken) throw new Error('no session');
  };
  const drive = async (until: () => boolean) => {
    let completed = 0;
    await Promise.all(
      Array.from({ length: run.clients }, async () => {
        while (!until()) {
          await login();
          completed++;
        }
      }),
    );
    return completed;
  };

  let warm = 0;
  await drive(() => warm++ >= run.warmup);
  send({ type: 'warm' });
  if ((await next()).type !== 'go') throw new Error('expected go');
  const started = performance.now();
  const end = started + run.seconds * 1000;
  const completed = await drive(() => performance.now() >= end);
  send({ type: 'done', completed, seconds: (performance.now() - started) / 1000 });
  agent.destroy();
}

async function main() {
  const smtp = new SmtpSink(10_000);
  await smtp.listen(0);
  send({ type: 'smtp', url: smtp.url });
  for (let message = await next(); message.type === 'run'; message = await next()) await measure(message, smtp);
  await smtp.close();
  process.disconnect();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
