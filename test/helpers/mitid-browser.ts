import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { StepUpAction } from '../../src/db/schema.ts';
import type { TestPerson } from '../../src/features/mitid/test-broker.ts';

type Jar = Map<string, string>;

function keep(jar: Jar, setCookies: string[]): void {
  for (const c of setCookies) {
    const [pair] = c.split(';');
    const [name, ...value] = pair!.split('=');
    if (/max-age=0|expires=thu, 01 jan 1970/i.test(c) || value.join('=') === '') jar.delete(name!.trim());
    else jar.set(name!.trim(), value.join('='));
  }
}
const header = (jar: Jar) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');

/**
 * A browser for the real OpenID Connect round trip: the app through inject, the test broker
 * over HTTP, each with its own cookies, following redirects as a browser would.
 */
export class MitidBrowser {
  readonly appCookies: Jar = new Map();
  readonly brokerCookies: Jar = new Map();

  constructor(private readonly app: FastifyInstance) {}

  async app_(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const response = await this.app.inject({ method, url, payload: payload as object | undefined, headers: { ...headers, cookie: header(this.appCookies) } });
    const set = response.headers['set-cookie'];
    keep(this.appCookies, set === undefined ? [] : Array.isArray(set) ? set : [set]);
    return response;
  }

  async #broker(url: string, init: RequestInit = {}): Promise<Response> {
    const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as object), cookie: header(this.brokerCookies) } });
    keep(this.brokerCookies, response.headers.getSetCookie());
    return response;
  }

  /**
   * Starts at /api/mitid/start, logs in at the broker as `person`, and delivers the callback to
   * the app. `tamper` may change the callback URL first. Returns where the app redirects to.
   */
  async login(
    start: { purpose: 'login' | 'register' | 'stepup'; clinic?: string; action?: StepUpAction },
    person: TestPerson,
    hooks: { tamper?: (callback: URL) => URL; beforeCallback?: () => Promise<void> } = {},
  ): Promise<string> {
    const query = new URLSearchParams({
      purpose: start.purpose,
      ...(start.clinic ? { clinic: start.clinic } : {}),
      ...(start.action ? { action: start.action } : {}),
    });
    const started = await this.app_('GET', `/api/mitid/start?${query}`);
    let location = started.headers.location!;
    if (!location.startsWith('http')) return location; // refused before the broker
    let base = new URL(location).origin;
    let response = await this.#broker(location);
    for (let hops = 0; hops < 10; hops++) {
      location = new URL(response.headers.get('location')!, base).href;
      if (location.includes('/interaction/')) {
        await this.#broker(location); // the page the person sees
        response = await this.#broker(location, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ cpr: person.cpr, name: person.name, birthDate: person.birthDate, loa: person.loa }).toString(),
        });
        continue;
      }
      if (location.includes('/api/mitid/callback')) break;
      base = new URL(location).origin;
      response = await this.#broker(location);
    }
    let callback = new URL(location);
    if (hooks.tamper) callback = hooks.tamper(callback);
    await hooks.beforeCallback?.();
    const done = await this.app_('GET', `${callback.pathname}${callback.search}`);
    return done.headers.location!;
  }
}
