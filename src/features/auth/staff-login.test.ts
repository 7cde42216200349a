import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/databases.ts';
import { buildStaff, TEST_PASSWORD } from '../../../test/helpers/factories.ts';
import { StaffClient, startTestApp, type TestApp } from '../../../test/helpers/test-app.ts';
import { expectBothTurnedAway, floodPasswordChecks, loginTriesCounted } from '../../../test/helpers/busy-logins.ts';

describe.each(backends)('staff login slow-down on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(() => t.close());

  it('slows staff guessing after 5 failures per e-mail, for known and unknown users alike, and lets the right password in once the wait is over', async () => {
    const staff = await buildStaff(t.ctx.db);
    for (const email of [staff.email, 'nobody@klinik.test']) {
      for (let i = 0; i < 5; i++) expect((await new StaffClient(t.app).login(email, `wrong guess ${String(i)}`)).statusCode).toBe(401);
      expect((await new StaffClient(t.app).login(email.toUpperCase(), TEST_PASSWORD)).statusCode).toBe(429);
    }
    t.clock.advance(1000);
    expect((await new StaffClient(t.app).login(staff.email, TEST_PASSWORD)).statusCode).toBe(200);
  });

  it('turns a staff login away with 503 busy while the password checks queue is full, known user or not, counting no try', async () => {
    const staff = await buildStaff(t.ctx.db);
    const flood = floodPasswordChecks();
    const before = await loginTriesCounted(t.ctx.db);
    const known = await new StaffClient(t.app).login(staff.email, TEST_PASSWORD);
    const unknown = await new StaffClient(t.app).login('nobody-at-all@klinik.test', TEST_PASSWORD);
    expectBothTurnedAway(known, unknown);
    expect(await loginTriesCounted(t.ctx.db)).toBe(before);
    await flood;
    expect((await new StaffClient(t.app).login(staff.email, TEST_PASSWORD)).statusCode).toBe(200);
  });

  it('records a failed staff login in the audit log for an unknown e-mail as for a known one', async () => {
    const staff = await buildStaff(t.ctx.db);
    const count = async () => (await t.ctx.db.selectFrom('audit_events').select('id').where('action', '=', 'staff.login_failed').execute()).length;
    const before = await count();
    await new StaffClient(t.app).login(staff.email, 'not the password');
    await new StaffClient(t.app).login('ghost@klinik.test', 'not the password');
    expect(await count()).toBe(before + 2);
  });
});
