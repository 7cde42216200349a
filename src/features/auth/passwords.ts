import { availableParallelism } from 'node:os';
import { hash, verify } from '@node-rs/argon2';
import pLimit from 'p-limit';
import { errors } from '../../errors.ts';

/** OWASP's argon2id minimum: 19 MiB, 2 iterations, 1 lane. */
// argon2id is the library's default algorithm (Algorithm is a const enum, which isolated modules cannot read); passwords.test.ts pins it.
const ARGON2_OPTIONS = { memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

/**
 * How many argon2 computations run at once: one per core, and always one of libuv's thread-pool
 * threads (4 unless UV_THREADPOOL_SIZE says otherwise) left for file and DNS work. More at once only
 * time-slices them on the cores, and each one's 19 MiB then competes for the caches: bench:login
 * measured about 4 ms more server CPU per login with 4 hashes at once on 2 cores. The rest wait
 * their turn in order, the same wait whether or not the account exists.
 */
const threadPoolSize = Number.parseInt(process.env.UV_THREADPOOL_SIZE ?? '', 10) || 4;
export const HASHES_AT_ONCE = Math.max(1, Math.min(availableParallelism(), threadPoolSize - 1));
const hashing = pLimit(HASHES_AT_ONCE);

/**
 * How many password checks may wait for a turn. Past it a check is turned away at once (503 busy)
 * instead of queueing: a flood of logins then delays every other login, staff's too, by at most
 * this queue (32 turns per core, about a third of a second at bench:login's ~10 ms per hash, a
 * second at 30 ms) rather than without bound. The same for known and unknown accounts, before
 * any check, so the answer tells nothing about the account. New passwords (activation, reset,
 * staff) are not turned away: a mailed link gates them, and the tools hash many at once.
 */
export const MAX_WAITING_CHECKS = 32 * HASHES_AT_ONCE;

/** Hashes running and waiting now (the tests check the limit with it). */
export const hashingLoad = () => ({ running: hashing.activeCount, waiting: hashing.pendingCount });

export function hashPassword(password: string): Promise<string> {
  return hashing(() => hash(password, ARGON2_OPTIONS));
}

// A real hash of a random string, made once when the module loads, so that even the first login
// for an unknown account costs one verification, as a known one does.
const dummyHash = hashPassword('dummy-password-for-constant-time');

/**
 * Turns a login away (503 busy) while MAX_WAITING_CHECKS password checks wait. The login steps call
 * it before any database work, so a turned-away login reads and writes nothing and is not counted
 * as a try; verifyPassword calls it again, since the queue may have filled in between.
 */
export function turnAwayWhenHashingIsFull(): void {
  if (hashing.pendingCount >= MAX_WAITING_CHECKS) throw errors.busy();
}

/**
 * Always runs argon2, also when there is no such account, so that the response time does not
 * tell whether an e-mail address is registered.
 */
export async function verifyPassword(storedHash: string | null | undefined, password: string): Promise<boolean> {
  turnAwayWhenHashingIsFull();
  if (!storedHash) {
    const dummy = await dummyHash;
    await hashing(() => verify(dummy, password).catch(() => false));
    return false;
  }
  // A stored hash argon2 cannot read is a failed check, not an error.
  return hashing(() => verify(storedHash, password).catch(() => false));
}
