import { describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/databases.ts';
import { startTestApp } from '../../../test/helpers/test-app.ts';

describe.each(backends)('health and error answers on %s', (backend) => {
  it('answers 200 while the database answers and 503 once it does not', async () => {
    const t = await startTestApp(backend);
    try {
      const up = await t.app.inject({ url: '/health' });
      expect(up.statusCode).toBe(200);
      expect(up.json()).toEqual({ status: 'ok', database: true });
      await t.ctx.db.destroy();
      const down = await t.app.inject({ url: '/health' });
      expect(down.statusCode).toBe(503);
      expect(down.json()).toEqual({ status: 'unavailable', database: false });
    } finally {
      await t.app.close();
      await t.database.drop().catch(() => undefined); // the pool is already closed; drop what is left
    }
  });

  it('answers unknown API paths with a JSON 404 and a crash with a 500 that hides the internals', async () => {
    const t = await startTestApp(backend, {}, (app) => {
      app.get('/api/test-crash', () => Promise.reject(new Error('secret internals at /srv/app.ts:12')));
      app.get('/api/test-unique', () =>
        Promise.reject(Object.assign(new Error('duplicate key value violates unique constraint "x" Key (cpr)=(0101901234)'), { code: '23505' })),
      );
    });
    try {
      const missing = await t.app.inject({ url: '/api/no-such-thing' });
      expect(missing.statusCode).toBe(404);
      expect(missing.json().error).toMatchObject({ code: 'not_found', message: { da: 'Findes ikke.', en: 'Not found.' } });
      const crash = await t.app.inject({ url: '/api/test-crash' });
      expect(crash.statusCode).toBe(500);
      expect(crash.json().error.code).toBe('internal_error');
      expect(crash.body).not.toContain('secret internals');
      const race = await t.app.inject({ url: '/api/test-unique' });
      expect(race.statusCode).toBe(409);
      expect(race.json().error.code).toBe('concurrent_change');
      expect(race.body).not.toContain('0101901234');
    } finally {
      await t.close();
    }
  });
});
