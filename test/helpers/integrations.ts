import { expect } from 'vitest';
import type { TestApp } from './test-app.ts';
import { createIntegration } from '../../src/features/integrations/integrations.ts';
import { SCOPES } from '../../src/features/integrations/scopes.ts';

export const ALL_SCOPES: string[] = [...SCOPES];

/** An integration made as the CLI makes it; returns its client id and secret. */
export async function buildIntegration(
  t: TestApp,
  clinicIds: string[],
  options: { scopes?: string[]; publicJwk?: Record<string, unknown>; kind?: 'clinic' | 'vendor'; name?: string } = {},
) {
  return createIntegration(
    t.ctx.db,
    { name: options.name ?? 'Test-EPJ', clinicIds, scopes: options.scopes ?? ALL_SCOPES, publicJwk: options.publicJwk ?? null, kind: options.kind },
    { type: 'cli', id: null, ip: null },
    t.clock.now(),
  );
}

export const basic = (clientId: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;

export function requestToken(t: TestApp, form: Record<string, string>, authorization?: string) {
  return t.app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization ? { authorization } : {}) },
    payload: new URLSearchParams(form).toString(),
  });
}

/** client_secret_basic; fails the test unless a token is issued. */
export async function tokenFor(t: TestApp, credentials: { clientId: string; clientSecret: string }, scope?: string): Promise<string> {
  const response = await requestToken(
    t,
    { grant_type: 'client_credentials', ...(scope ? { scope } : {}) },
    basic(credentials.clientId, credentials.clientSecret),
  );
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ access_token: string }>().access_token;
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** A clinic system: a bearer token, no cookies, no CSRF header. */
export class BearerClient {
  constructor(
    private readonly t: TestApp,
    public token: string,
  ) {}
  request(method: Method, url: string, payload?: unknown, headers: Record<string, string> = {}) {
    return this.t.app.inject({ method, url, payload: payload as object | undefined, headers: { authorization: `Bearer ${this.token}`, ...headers } });
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
  delete(url: string) {
    return this.request('DELETE', url);
  }
}
