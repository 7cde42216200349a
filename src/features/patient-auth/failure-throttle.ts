import { errors } from '../../errors.ts';

interface Entry {
  failures: number;
  lastFailureAt: number;
}

/**
 * Slows guessing per account identifier without locking anyone out: after 5 consecutive failures
 * each further try must wait, 1 s doubling up to 60 s. It keys on what was typed, whether or not
 * such an account exists, so being slowed down reveals nothing.
 */
export class FailureThrottle {
  readonly #entries = new Map<string, Entry>();

  constructor(
    private readonly freeFailures = 5,
    private readonly maxDelayMs = 60_000,
    private readonly maxEntries = 100_000,
  ) {}

  check(key: string, now: Date): void {
    const entry = this.#entries.get(key);
    if (!entry || entry.failures < this.freeFailures) return;
    const delay = Math.min(1000 * 2 ** (entry.failures - this.freeFailures), this.maxDelayMs);
    if (now.getTime() - entry.lastFailureAt < delay) throw errors.tooManyRequests();
  }

  fail(key: string, now: Date): void {
    const entry = this.#entries.get(key) ?? { failures: 0, lastFailureAt: 0 };
    entry.failures += 1;
    entry.lastFailureAt = now.getTime();
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    // Bounded memory: forget the oldest entries first.
    if (this.#entries.size > this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
  }

  succeed(key: string): void {
    this.#entries.delete(key);
  }
}
