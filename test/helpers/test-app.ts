import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { sessionPolicyFrom, type AppContext } from '../../src/context.ts';
import { createTestDatabase, type Backend, type TestDatabase } from './databases.ts';

export interface TestApp {
  app: FastifyInstance;
  ctx: AppContext;
  clock: ManualClock;
  database: TestDatabase;
  close(): Promise<void>;
}

export async function startTestApp(
  backend: Backend,
  env: Record<string, string> = {},
  beforeReady?: (app: FastifyInstance) => void,
): Promise<TestApp> {
  const database = await createTestDatabase(backend);
  const config = loadConfig({
    NODE_ENV: 'test',
    SESSION_SECRET: 'test-secret-test-secret-test-secret-0123',
    PUBLIC_URL: 'http://localhost:3000',
    SMTP_URL: 'smtp://127.0.0.1:1',
    DATA_DIR: '/nonexistent',
    ...env,
  });
  const clock = new ManualClock();
  const ctx: AppContext = { config, db: database.db, clock, sessionPolicy: sessionPolicyFrom(config) };
  const app = await buildApp({ ctx });
  beforeReady?.(app);
  await app.ready();
  return {
    app,
    ctx,
    clock,
    database,
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
}

/** A staff member's browser: keeps the session cookie and sends the CSRF token on changes. */
export class StaffClient {
  cookie = '';
  csrf = '';
  constructor(private readonly app: FastifyInstance) {}

  async login(email: string, password: string): Promise<LightMyRequestResponse> {
    const response = await this.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
    const setCookie = response.headers['set-cookie'];
    const first = Array.isArray(setCookie) ? setCookie[0] : setCookie;
    if (first) this.cookie = first.split(';')[0]!;
    if (response.statusCode === 200) this.csrf = response.json().csrfToken;
    return response;
  }

  request(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = {}) {
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
}
