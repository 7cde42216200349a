import { randomUUID } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import { sql } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../../clock.ts';
import { prepared, type Database } from '../../db/database.ts';
import { safeError } from '../../http/safe-error.ts';
import { markFailedForGood } from './failed-mail-links.ts';

export interface MailWorkerOptions {
  db: Database;
  clock: Clock;
  smtpUrl: string;
  from: string;
  log: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;
  pollMs?: number;
  batchSize?: number;
  /**
   * How long a claimed mail stays reserved for this worker before another may try it. The worker
   * renews the lease every third of it while it sends, so only a crashed worker's mail waits.
   */
  leaseMs?: number;
  /** First retry delay; doubles per attempt up to maxBackoffMs. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** Transient failures are retried this many times before the mail is marked failed. */
  maxAttempts?: number;
}

interface SmtpError {
  responseCode?: number;
  code?: string;
  message?: string;
}

function smtpOptions(smtpUrl: string) {
  const url = new URL(smtpUrl);
  const secure = url.protocol === 'smtps:';
  return {
    host: url.hostname,
    port: Number(url.port) || (secure ? 465 : 587),
    secure,
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    // Pooled: a new SMTP connection per mail costs ~100 ms; a reused one ~5 ms.
    pool: true,
    maxConnections: 5,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  };
}

interface Claimed {
  id: number;
  to_address: string;
  subject: string;
  text_body: string;
  attempts: number;
  message_id: string;
}

/** SMTP 5xx replies are permanent: the server will say the same again. Anything else may pass. */
const isPermanent = (error: SmtpError) => typeof error.responseCode === 'number' && error.responseCode >= 500;

/**
 * Delivers the outbox. A batch is claimed with FOR UPDATE SKIP LOCKED and leased, then sent
 * outside any transaction, so two processes on one database never send the same mail and a
 * slow SMTP server never holds a database connection.
 */
export class MailWorker {
  readonly #o: Required<MailWorkerOptions>;
  readonly #transport: Transporter;
  readonly #workerId = randomUUID();
  readonly #messageIdDomain: string;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #busy = false;
  #wokenWhileBusy = false;
  #stopped = true;

  constructor(options: MailWorkerOptions) {
    this.#o = {
      pollMs: 1000,
      batchSize: 20,
      leaseMs: 30_000,
      baseBackoffMs: 10_000,
      maxBackoffMs: 15 * 60_000,
      maxAttempts: 100,
      ...options,
    };
    this.#transport = nodemailer.createTransport(smtpOptions(this.#o.smtpUrl));
    this.#messageIdDomain = /@([^\s>]+)>?\s*$/.exec(this.#o.from)?.[1] ?? 'patientportal.localhost';
  }

  start(): void {
    this.#stopped = false;
    this.#schedule(0);
  }

  /** Waits for a batch in flight to finish, so no claimed mail is left half-handled. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
    this.#transport.close();
  }

  /**
   * A mail was queued (PostgreSQL's notification, see db/notifications.ts): send now rather than at
   * the next poll, so a login code arrives in milliseconds. While a batch is being sent, the next
   * one follows it at once.
   */
  wake(): void {
    if (this.#stopped) return;
    if (this.#busy) {
      this.#wokenWhileBusy = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#schedule(0);
  }

  #schedule(delay: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#busy = true;
      this.#wokenWhileBusy = false;
      this.#running = this.runOnce()
        .then((count) => {
          this.#busy = false;
          // A full batch may have left more behind; a short one emptied what was due, and a mail
          // queued since then wakes us (#wokenWhileBusy) through PostgreSQL's notification, so a
          // claim now would come back empty. While the listener is down, the poll sends it.
          this.#schedule(count >= this.#o.batchSize || this.#wokenWhileBusy ? 0 : this.#o.pollMs);
        })
        .catch((error: unknown) => {
          this.#busy = false;
          this.#o.log.error({ err: safeError(error) }, 'mail worker: batch failed');
          this.#schedule(this.#o.pollMs);
        });
    }, delay);
  }

  /** Claims and sends one batch of due mails; returns how many it handled. */
  async runOnce(): Promise<number> {
    const now = this.#o.clock.now();
    const claimed = await this.#claim(now);
    if (claimed.length === 0) return 0;
    const inFlight = new Set(claimed.map((mail) => mail.id));
    const renewal = setInterval(() => void this.#renewLease([...inFlight]), this.#o.leaseMs / 3);
    try {
      // Recipients in parallel over pooled connections; each recipient's mails in the order queued.
      const byRecipient = new Map<string, typeof claimed>();
      for (const mail of claimed) byRecipient.set(mail.to_address, [...(byRecipient.get(mail.to_address) ?? []), mail]);
      await Promise.all(
        [...byRecipient.values()].map(async (mails) => {
          for (const mail of mails) {
            await this.#deliver(mail);
            inFlight.delete(mail.id);
          }
        }),
      );
    } finally {
      clearInterval(renewal);
    }
    return claimed.length;
  }

  /** Keeps the mails this worker is still sending reserved; a failure here only risks a resend. */
  async #renewLease(ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    const until = new Date(this.#o.clock.now().getTime() + this.#o.leaseMs);
    await this.#o.db
      .updateTable('outbox_mails')
      .set({ locked_until: until })
      .where('id', 'in', ids)
      .where('locked_by', '=', this.#workerId)
      .where('status', '=', 'pending')
      .execute()
      .catch((error: unknown) => this.#o.log.warn({ err: safeError(error) }, 'mail worker: could not renew the lease'));
  }

  async #claim(now: Date) {
    const leaseUntil = new Date(now.getTime() + this.#o.leaseMs);
    // Prepared, like the "sent" mark below: they run on every poll and for every mail sent, and
    // planning them anew cost PostgreSQL more than running them (its statement log under bench:queue).
    // The batch size is written into the text, a constant of the process, so the generic plan
    // PostgreSQL keeps knows the limit.
    const result = await prepared(sql<Claimed>`
      update outbox_mails set locked_until = ${leaseUntil}, locked_by = ${this.#workerId}, attempts = attempts + 1
      where id in (
        select id from outbox_mails
        where status = 'pending' and next_attempt_at <= ${now}
          and (locked_until is null or locked_until <= ${now})
        order by next_attempt_at, id
        limit ${sql.lit(this.#o.batchSize)}
        for update skip locked)
      returning id, to_address, subject, text_body, attempts, message_id`).execute(this.#o.db);
    // UPDATE ... RETURNING gives no order; send in the order the mails were queued.
    return result.rows.sort((a, b) => a.id - b.id);
  }

  async #deliver(mail: Claimed) {
    const { db, clock, from, log } = this.#o;
    try {
      await this.#transport.sendMail({
        from,
        to: mail.to_address,
        subject: mail.subject,
        text: mail.text_body,
        // The same Message-ID on every attempt: a copy sent again after a crash can be recognised.
        messageId: `<${mail.message_id}@${this.#messageIdDomain}>`,
        headers: { 'X-Patientportal-Mail-Id': String(mail.id) },
      });
      // SQL rather than the query builder: every login's code mail is marked sent (docs/ARCHITECTURE.md, "Hot statements").
      await prepared(sql`update outbox_mails set status = 'sent', sent_at = ${clock.now()}, text_body = null, template_params = null, locked_until = null, last_error = null
        where id = ${mail.id}`).execute(db);
    } catch (caught) {
      const error = caught as SmtpError;
      const reason = `${error.responseCode ?? error.code ?? 'error'}: ${error.message ?? String(caught)}`.slice(0, 500);
      const now = clock.now();
      if (isPermanent(error) || mail.attempts >= this.#o.maxAttempts) {
        log.error({ mailId: mail.id, reason }, 'mail worker: delivery failed for good');
        await markFailedForGood(db, mail.id, reason, now);
        return;
      }
      const backoff = Math.min(this.#o.baseBackoffMs * 2 ** (mail.attempts - 1), this.#o.maxBackoffMs);
      log.warn({ mailId: mail.id, attempt: mail.attempts, reason }, 'mail worker: will retry');
      await db
        .updateTable('outbox_mails')
        .set({ next_attempt_at: new Date(now.getTime() + backoff), locked_until: null, last_error: reason })
        .where('id', '=', mail.id)
        .execute();
    }
  }
}
