import { describe, expect, it } from 'vitest';
import { HASHES_AT_ONCE, hashingLoad, hashPassword, MAX_WAITING_CHECKS, verifyPassword } from './passwords.ts';

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

  it('turns a password check away at once (503 busy) when MAX_WAITING_CHECKS wait, known account or not; new passwords still queue', async () => {
    const stored = await hashPassword('correct horse battery staple');
    await verifyPassword(null, 'warm the dummy hash');
    const queued = Array.from({ length: HASHES_AT_ONCE + MAX_WAITING_CHECKS }, (_, i) => verifyPassword(i % 2 ? stored : null, 'wrong'));
    await Promise.resolve();
    expect(hashingLoad()).toEqual({ running: HASHES_AT_ONCE, waiting: MAX_WAITING_CHECKS });
    for (const storedHash of [stored, null]) {
      await expect(verifyPassword(storedHash, 'correct horse battery staple')).rejects.toMatchObject({ status: 503, code: 'busy' });
    }
    const newPassword = hashPassword('a new password of a patient');
    expect(hashingLoad().waiting).toBe(MAX_WAITING_CHECKS + 1);
    expect(await Promise.all(queued)).toEqual(queued.map(() => false));
    expect(await newPassword).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(stored, 'correct horse battery staple')).toBe(true);
  });
});
