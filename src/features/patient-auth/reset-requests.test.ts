import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/databases.ts';
import { activatedPatient, linkToken } from '../../../test/helpers/portal.ts';
import { startTestApp, type TestApp } from '../../../test/helpers/test-app.ts';
import { handlePasswordResetRequests } from './reset-requests.ts';

describe.each(backends)('"Glemt adgangskode" as a stored request on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(() => t.close());

  it('answers before looking the login up: one stored request for any identifier, the link mailed by the job, exactly once', async () => {
    const { patient, email } = await activatedPatient(t);
    await t.mailTo(email);
    const outboxBefore = await t.ctx.db.selectFrom('outbox_mails').select('id').execute();
    for (const identifier of [patient.cpr, 'ghost@example.test', '311299-9999']) {
      const answer = await t.app.inject({ method: 'POST', url: '/api/patient/forgot-password', payload: { identifier } });
      expect(answer.statusCode).toBe(200);
    }
    // Nothing that depends on the login happened during the requests.
    expect(await t.ctx.db.selectFrom('password_reset_requests').select('id').execute()).toHaveLength(3);
    expect(await t.ctx.db.selectFrom('outbox_mails').select('id').execute()).toHaveLength(outboxBefore.length);
    expect(await t.ctx.db.selectFrom('patient_tokens').select('token_hash').where('purpose', '=', 'password_reset').execute()).toHaveLength(0);

    const [one, two] = await Promise.all([handlePasswordResetRequests(t.ctx), handlePasswordResetRequests(t.ctx)]);
    expect(one + two).toBe(3);
    expect(await t.ctx.db.selectFrom('password_reset_requests').select('id').execute()).toHaveLength(0);
    expect(await t.ctx.db.selectFrom('outbox_mails').select('id').execute()).toHaveLength(outboxBefore.length + 1);
    expect(linkToken((await t.mailTo(email)).text, '/portal/reset')).toBeTruthy();
    expect(t.mailCount('ghost@example.test')).toBe(0);
  });
});
