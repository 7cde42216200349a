import { randomBytes } from 'node:crypto';
import type { AppContext } from '../../context.ts';
import { cookieSettings } from '../../http/staff-auth.ts';
import { hmac, safeEqual } from '../auth/tokens.ts';

/**
 * OWASP's "device cookie" pattern (Authentication Cheat Sheet, "Slow down online guessing
 * attacks with device cookies"): after a full login the browser gets a signed cookie bound to
 * that login. A login try that carries a valid one counts its failures against that device only;
 * a try without one is an untrusted client and counts against the identifier. A stranger's
 * guesses then slow and stop strangers, never the patient's own browser.
 *
 * Written here rather than taken from a library: no maintained package implements the pattern;
 * it is an HMAC over (login, nonce, issue time) with the session secret, ~40 lines.
 */
export const DEVICE_COOKIE_DAYS = 180;
const LIFETIME_MS = DEVICE_COOKIE_DAYS * 24 * 3_600_000;
/** One browser may be shared (a family computer): it remembers up to this many logins. */
const MAX_PER_BROWSER = 5;

export interface DeviceEntry {
  accountId: string;
  /** 128 random bits; the slow-down key of this device. */
  nonce: string;
  issuedAt: number;
}

export function deviceCookie(ctx: AppContext) {
  const session = cookieSettings(ctx);
  return { name: session.name.replace('staff_session', 'device'), options: { ...session.options, maxAge: LIFETIME_MS / 1000 } };
}

const sign = (ctx: AppContext, e: DeviceEntry) => hmac(ctx.config.sessionSecret, `device:${e.accountId}.${e.nonce}.${String(e.issuedAt)}`);

/** The entries of a cookie value whose signature holds and which have not expired; anything else is ignored. */
export function readDeviceCookie(ctx: AppContext, value: string | undefined, now: Date): DeviceEntry[] {
  if (!value) return [];
  const entries: DeviceEntry[] = [];
  for (const part of value.split('~').slice(0, MAX_PER_BROWSER)) {
    const [accountId, nonce, issued, signature] = part.split('.');
    if (!accountId || !nonce || !issued || !signature || !/^\d{1,15}$/.test(issued)) continue;
    const entry = { accountId, nonce, issuedAt: Number(issued) };
    if (!safeEqual(signature, sign(ctx, entry))) continue;
    if (entry.issuedAt + LIFETIME_MS <= now.getTime()) continue;
    entries.push(entry);
  }
  return entries;
}

/** A fresh entry for this login first (a new nonce: a new device key), the browser's other logins after it. */
export function renewDeviceCookie(ctx: AppContext, entries: DeviceEntry[], accountId: string, now: Date): string {
  const fresh: DeviceEntry = { accountId, nonce: randomBytes(16).toString('base64url'), issuedAt: now.getTime() };
  return [fresh, ...entries.filter((e) => e.accountId !== accountId)]
    .slice(0, MAX_PER_BROWSER)
    .map((e) => `${e.accountId}.${e.nonce}.${String(e.issuedAt)}.${sign(ctx, e)}`)
    .join('~');
}

export const deviceKey = (entry: DeviceEntry) => `device:${entry.nonce}`;
