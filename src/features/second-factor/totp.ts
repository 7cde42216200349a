import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

/** RFC 6238 as every authenticator app reads it: SHA-1, 6 digits, 30 s, one step of clock drift either way. */
const PERIOD_S = 30;
const totpFor = (base32: string, label = '') =>
  new TOTP({ issuer: 'Patientportal', label, algorithm: 'SHA1', digits: 6, period: PERIOD_S, secret: Secret.fromBase32(base32) });

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

export function totpUri(base32: string, email: string): string {
  return totpFor(base32, email).toString();
}

/** The time step a right code belongs to, or null. The caller refuses a step already used (no replay). */
export function totpStep(base32: string, code: string, now: Date): number | null {
  const token = code.replace(/\s/g, '');
  if (!/^\d{6}$/.test(token)) return null;
  const delta = totpFor(base32).validate({ token, timestamp: now.getTime(), window: 1 });
  return delta === null ? null : Math.floor(now.getTime() / 1000 / PERIOD_S) + delta;
}

/**
 * The server must read TOTP secrets back, so they cannot be hashed; they are stored encrypted
 * (AES-256-GCM, key derived from SESSION_SECRET), so a copy of the database alone does not give
 * anyone the staff's second factor.
 */
const keyFrom = (sessionSecret: string) => Buffer.from(hkdfSync('sha256', sessionSecret, 'patientportal', 'totp-secret', 32));

export function sealSecret(sessionSecret: string, base32: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFrom(sessionSecret), iv);
  const sealed = Buffer.concat([cipher.update(base32, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), sealed].map((b) => b.toString('base64url')).join('.');
}

export function openSecret(sessionSecret: string, stored: string): string {
  const [iv, tag, sealed] = stored.split('.').map((part) => Buffer.from(part, 'base64url'));
  if (!iv || !tag || !sealed) throw new Error('malformed TOTP secret');
  const decipher = createDecipheriv('aes-256-gcm', keyFrom(sessionSecret), iv);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(sealed), decipher.final()]).toString('utf8');
}
