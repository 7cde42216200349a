import { describe, expect, it } from 'vitest';
import { HASHES_AT_ONCE, hashingLoad, hashPassword, verifyPassword } from './passwords.ts';

describe('password hashing', () => {
  it("uses argon2id with OWASP's minimum parameters (19 MiB, 2 iterations, 1 lane)", async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(stored, 'correct horse battery staple')).toBe(true);
    expect(await verifyPassword(stored, 'wrong')).toBe(false);
  });

  it('runs at most HASHES_AT_ONCE hashes at once (a core each, a thread-pool thread spare) and queues the rest, unknown logins too', async () => {
    const stored = await hashPassword('correct horse battery staple');
    await verifyPassword(null, 'warm the dummy hash');
    const checks = [...Array.from({ length: 4 }, () => verifyPassword(stored, 'wrong')), ...Array.from({ length: 4 }, () => verifyPassword(null, 'wrong'))];
    await Promise.resolve();
    expect(hashingLoad()).toEqual({ running: HASHES_AT_ONCE, waiting: 8 - HASHES_AT_ONCE });
    expect(await Promise.all(checks)).toEqual(Array.from({ length: 8 }, () => false));
    expect(hashingLoad()).toEqual({ running: 0, waiting: 0 });
  });
});
