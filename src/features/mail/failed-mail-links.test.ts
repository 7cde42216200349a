import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/databases.ts';
import { buildStaff } from '../../../test/helpers/factories.ts';
import { activate, clinicWithSecretary, linkToken, uniqueEmail } from '../../../test/helpers/portal.ts';
import { StaffClient, startTestApp, type TestApp } from '../../../test/helpers/test-app.ts';

describe.each(backends)('a mail with a one-time link that fails for good (%s)', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(() => t.close());

  it('voids its link and erases its body; "queue again" sends a fresh link that works', async () => {
    const { secretary, portalUrl, patient } = await clinicWithSecretary(t);
    const email = uniqueEmail();
    t.smtp.rejectTo.add(email);
    expect((await secretary.post(portalUrl, { email, rights: ['booking'], wantsElectronicReply: false })).statusCode).toBe(201);
    await expect(t.mailTo(email)).rejects.toThrow(/no mail/);

    const failed = await t.ctx.db.selectFrom('outbox_mails').selectAll().where('to_address', '=', email).executeTakeFirstOrThrow();
    expect(failed.status).toBe('failed');
    expect(failed.text_body).toBeNull();
    expect(JSON.stringify(failed.template_params)).not.toMatch(/#token=[A-Za-z0-9_-]+/);
    const liveTokens = await t.ctx.db
      .selectFrom('patient_tokens')
      .innerJoin('patient_accounts', 'patient_accounts.id', 'patient_tokens.account_id')
      .select('patient_tokens.token_hash')
      .where('patient_accounts.cpr', '=', patient.cpr)
      .where('patient_tokens.used_at', 'is', null)
      .execute();
    expect(liveTokens).toHaveLength(0);

    t.smtp.rejectTo.delete(email);
    const support = await buildStaff(t.ctx.db, { isSupport: true });
    const supporter = new StaffClient(t.app);
    await supporter.login(support.email, support.password);
    expect((await supporter.post(`/api/support/failed-mails/${failed.id}/retry`)).statusCode).toBe(200);
    const fresh = linkToken((await t.mailTo(email)).text, '/portal/activate');
    expect(fresh).toBeDefined();
    expect((await activate(t, fresh!)).statusCode).toBe(200);
  });
});
