import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { minutes } from '../../clock.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { activatedPatient } from '../../../test/helpers/portal.ts';
import { PatientClient, startTestApp, type TestApp } from '../../../test/helpers/test-app.ts';

/** Wrong passwords sent in parallel: each must be counted, and the slow-down must hold. On PostgreSQL. */
describe.each(backends)('the login slow-down under parallel guesses (%s)', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(() => t.close());

  const failedLogins = async (cpr: string) =>
    (await t.ctx.db.selectFrom('patient_accounts').select('failed_logins').where('cpr', '=', cpr).executeTakeFirstOrThrow()).failed_logins;

  it('counts every one of 20 wrong passwords sent at once', async () => {
    const { patient } = await activatedPatient(t);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => new PatientClient(t.app).startLogin(patient.cpr, `wrong guess number ${i}`)));
    for (const answer of answers) expect([401, 429]).toContain(answer.statusCode);
    const checked = answers.filter((a) => a.statusCode === 401).length;
    expect(await failedLogins(patient.cpr)).toBe(checked);
    expect(checked).toBeGreaterThanOrEqual(5);
  });

  it('lets one of 25 parallel guesses through once the free tries are used, not eleven', async () => {
    const { patient } = await activatedPatient(t);
    for (let i = 0; i < 5; i++) {
      expect((await new PatientClient(t.app).startLogin(patient.cpr, `wrong guess ${i}`)).statusCode).toBe(401);
    }
    t.clock.advance(minutes(2)); // past the delay the fifth failure set
    const answers = await Promise.all(Array.from({ length: 25 }, (_, i) => new PatientClient(t.app).startLogin(patient.cpr, `parallel guess ${i}`)));
    expect(answers.filter((a) => a.statusCode === 401)).toHaveLength(1);
    expect(answers.filter((a) => a.statusCode === 429)).toHaveLength(24);
    expect(await failedLogins(patient.cpr)).toBe(6);
  });
});
