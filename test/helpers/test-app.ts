import type { FastifyInstance, FastifyServerOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { sessionPolicyFrom, type AppContext } from '../../src/context.ts';
import { MailWorker } from '../../src/features/mail/mail-worker.ts';
import { SmtpSink, type ReceivedMail } from '../../src/features/mail/smtp-sink.ts';
import { TableGpRegistry, type GpRegistry } from '../../src/features/gp-registry/gp-registry.ts';
import { TableCustodyRegistry, type CustodyRegistry } from '../../src/features/custody/custody-registry.ts';
import { MitidClient } from '../../src/features/mitid/mitid-client.ts';
import { startTestBroker } from '../../src/features/mitid/test-broker.ts';
import { createTestDatabase, type Backend, type TestDatabase } from './databases.ts';
import { openDatabase, type DatabaseTimeouts } from '../../src/db/database.ts';
import { handlePasswordResetRequests } from '../../src/features/patient-auth/reset-requests.ts';

export interface TestApp {
  app: FastifyInstance;
  ctx: AppContext;
  clock: ManualClock;
  database: TestDatabase;
  /** A real SMTP server the app's outbox delivers to. */
  smtp: SmtpSink;
  /** Delivers what the outbox holds now, and returns the newest mail to `to`. */
  mailTo(to: string): Promise<ReceivedMail>;
  /** How many mails reached `to`. */
  mailCount(to: string): number;
  close(): Promise<void>;
}

const ignore = (): void => {
  // Test runs do not read the worker's log.
};
const silent = { info: ignore, warn: ignore, error: ignore };

export interface TestAppOptions {
  /** Start the bundled MitID test broker and point the app at it. */
  mitid?: boolean;
  gpRegistry?: GpRegistry;
  custody?: CustodyRegistry;
  /** Open the app's own pool at another address of the same database (a proxy the test can cut), with these timeouts. */
  appDatabase?: { url: (directUrl: string) => string; timeouts: DatabaseTimeouts };
  /** The app's logger (none by default), as main.ts passes it. */
  logger?: FastifyServerOptions['logger'];
}

export async function startTestApp(
  backend: Backend,
  env: Record<string, string> = {},
  beforeReady?: (app: FastifyInstance) => void,
  options: TestAppOptions = {},
): Promise<TestApp> {
  const database = await createTestDatabase(backend);
  const smtp = new SmtpSink();
  await smtp.listen(0);
  const config = loadConfig({
    NODE_ENV: 'test',
    SESSION_SECRET: 'test-secret-test-secret-test-secret-0123',
    PUBLIC_URL: 'http://localhost:3000',
    SMTP_URL: smtp.url,
    DATA_DIR: '/nonexistent',
    AUTH_RATE_LIMIT_PER_MINUTE: '10000',
    ...env,
  });
  const clock = new ManualClock();
  const appDb = options.appDatabase ? openDatabase({ url: options.appDatabase.url(database.url), timeouts: options.appDatabase.timeouts }) : database.db;
  const ctx: AppContext = {
    config,
    db: appDb,
    clock,
    sessionPolicy: sessionPolicyFrom(config),
    mitid: null,
    gpRegistry: options.gpRegistry ?? new TableGpRegistry(database.db),
    custody: options.custody ?? new TableCustodyRegistry(database.db),
  };
  const broker = options.mitid
    ? await startTestBroker({
        port: 0,
        clientId: 'patientportal',
        clientSecret: 'test-broker-secret',
        redirectUris: [`${config.publicUrl}/api/mitid/callback`],
      })
    : undefined;
  if (broker) {
    ctx.mitid = new MitidClient({
      issuer: broker.issuer,
      clientId: 'patientportal',
      clientSecret: 'test-broker-secret',
      redirectUri: `${config.publicUrl}/api/mitid/callback`,
      allowHttp: true,
    });
  }
  const worker = new MailWorker({ db: database.db, clock, smtpUrl: smtp.url, from: 'no-reply@test.dk', log: silent });
  const app = await buildApp({ ctx, logger: options.logger });
  beforeReady?.(app);
  await app.ready();
  const mailsTo = (to: string) => smtp.messages.filter((m) => m.to.includes(to.toLowerCase()));
  return {
    app,
    ctx,
    clock,
    database,
    smtp,
    mailTo: async (to) => {
      await handlePasswordResetRequests(ctx); // "Glemt adgangskode" mails are enqueued by this job
      // Everything due, not one batch: a test may have queued more mails than a batch holds.
      while ((await worker.runOnce()) > 0);
      // Another process's worker on the same database (the two-process tests) may be sending it.
      if (!mailsTo(to).length) await smtp.waitFor(to, 5000).catch(() => undefined);
      const all = mailsTo(to);
      if (!all.length) throw new Error(`no mail to ${to}`);
      return all[all.length - 1]!;
    },
    mailCount: (to) => mailsTo(to).length,
    close: async () => {
      await app.close();
      await worker.stop();
      await smtp.close();
      await broker?.close();
      if (appDb !== database.db) await appDb.destroy();
      await database.drop();
    },
  };
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** A browser: keeps the session cookie and sends the CSRF token on changes. */
class Client {
  cookie = '';
  csrf = '';
  constructor(protected readonly app: FastifyInstance) {}

  protected keepCookie(response: LightMyRequestResponse): void {
    const setCookie = response.headers['set-cookie'];
    const first = Array.isArray(setCookie) ? setCookie[0] : setCookie;
    if (first) this.cookie = first.split(';')[0]!;
  }

  request(method: Method, url: string, payload?: unknown, headers: Record<string, string> = {}) {
    return this.app.inject({
      method,
      url,
      payload: payload as object | undefined,
      headers: { cookie: this.cookie, ...(method === 'GET' ? {} : { 'x-csrf-token': this.csrf }), ...headers },
    });
  }
  get(url: string) {
    return this.request('GET', url);
  }
  post(url: string, payload?: unknown) {
    return this.request('POST', url, payload ?? {});
  }
  put(url: string, payload?: unknown) {
    return this.request('PUT', url, payload ?? {});
  }
  delete(url: string, payload?: unknown) {
    return this.request('DELETE', url, payload);
  }
}

export class StaffClient extends Client {
  async login(email: string, password: string): Promise<LightMyRequestResponse> {
    const response = await this.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
    this.keepCookie(response);
    if (response.statusCode === 200) this.csrf = response.json().csrfToken;
    return response;
  }
}

export class PatientClient extends Client {
  /** Step 1 only: returns the response, with challengeId on success. */
  startLogin(identifier: string, password: string) {
    return this.app.inject({ method: 'POST', url: '/api/patient/login', payload: { identifier, password } });
  }

  async enterCode(challengeId: string, code: string): Promise<LightMyRequestResponse> {
    const response = await this.app.inject({ method: 'POST', url: '/api/patient/login/code', payload: { challengeId, code } });
    this.keepCookie(response);
    if (response.statusCode === 200) this.csrf = response.json().csrfToken;
    return response;
  }
}

/** An answer's body without its per-request id, to compare two answers for sameness. */
export function answerBody(response: LightMyRequestResponse): unknown {
  const body = response.json<{ error?: { requestId?: string } }>();
  if (body.error) delete body.error.requestId;
  return body;
}
