import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import { HASHES_AT_ONCE, hashPassword, MAX_WAITING_CHECKS } from '../../src/features/auth/passwords.ts';
import { answerBody } from './test-app.ts';

/**
 * Fills the password checks queue past its limit, as a flood of logins would. Hashes of new
 * passwords wait in the same queue and are never turned away: twice the limit keeps it full while
 * a login under test does its reads. Resolves when the flood is through.
 */
export function floodPasswordChecks(): Promise<unknown> {
  return Promise.all(Array.from({ length: HASHES_AT_ONCE + 2 * MAX_WAITING_CHECKS }, () => hashPassword('a new password in a flood')));
}

/** Tries the login slow-down has counted, over every key. */
export async function loginTriesCounted(db: Database): Promise<number> {
  return (await db.selectFrom('login_throttles').select('key').execute()).length;
}

/** A known and an unknown login both turned away alike: 503 busy, Retry-After 2, the same body. */
export function expectBothTurnedAway(known: LightMyRequestResponse, unknown: LightMyRequestResponse): void {
  for (const answer of [known, unknown]) {
    expect(answer.statusCode).toBe(503);
    expect(answer.headers['retry-after']).toBe('2');
    expect(answer.json<{ error: { code: string } }>().error.code).toBe('busy');
  }
  expect(answerBody(known)).toEqual(answerBody(unknown));
}
