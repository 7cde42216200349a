import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  id: number;
  receivedAt: Date;
  from: string;
  to: string[];
  subject: string;
  text: string;
  messageId: string;
}

/**
 * A real SMTP server that keeps what it receives in memory. It is the development mail server
 * behind /dev/mail when SMTP_URL is unset, and the server the tests send to.
 */
export class SmtpSink {
  readonly messages: ReceivedMail[] = [];
  /** Recipients this server refuses with a permanent 550 (tests of undeliverable mail). */
  readonly rejectTo = new Set<string>();
  #server: SMTPServer;
  #nextId = 1;
  #waiters: (() => void)[] = [];
  port = 0;

  get lastId(): number {
    return this.#nextId - 1;
  }

  constructor(private readonly keep = 500) {
    this.#server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      // A reverse DNS lookup per connection costs a second or more where DNS is unreachable.
      disableReverseLookup: true,
      onRcptTo: (address, _session, callback) => {
        if (this.rejectTo.has(address.address.toLowerCase())) {
          callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
          return;
        }
        callback();
      },
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then((parsed) => {
            this.messages.push({
              id: this.#nextId++,
              receivedAt: new Date(),
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              messageId: parsed.messageId ?? '',
            });
            if (this.messages.length > this.keep) this.messages.shift();
            this.#waiters.splice(0).forEach((wake) => wake());
            callback();
          })
          .catch((error: unknown) => {
            callback(error instanceof Error ? error : new Error(String(error)));
          });
      },
    });
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => resolve());
    });
    this.port = (this.#server.server.address() as AddressInfo).port;
    return this.port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Resolves with the first mail to `to` after mail number `afterId`, or rejects after timeoutMs. */
  async waitFor(to: string, timeoutMs = 10_000, afterId = 0): Promise<ReceivedMail> {
    const deadline = Date.now() + timeoutMs;
    const address = to.toLowerCase();
    for (;;) {
      const found = this.messages.find((m) => m.id > afterId && m.to.includes(address));
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`No mail to ${to} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}
