import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import { backends } from './helpers/databases.ts';
import { buildClinic, buildLoginRequest, buildStaff } from './helpers/factories.ts';
import { activatedPatient, mailedCode, PATIENT_PASSWORD } from './helpers/portal.ts';
import { PatientClient, StaffClient, startTestApp, type TestApp } from './helpers/test-app.ts';

/**
 * Round trips to PostgreSQL per request on the hot paths. On these machines a round trip costs about
 * as much of the app's CPU as the SQL it carries (bench:login), so these budgets keep a login close
 * to the cost of its password hash and an approval close to a read. The counts are exact, not
 * timings: every statement the app's pool sends goes through pg.Client#query, BEGIN and COMMIT too.
 */
describe.each(backends)('round trips to the database per request on %s', (backend) => {
  let t: TestApp;
  // Calls through to pg: a spy only records the statements.
  let queries: MockInstance<(...args: unknown[]) => unknown>;
  const count = async <T>(fn: () => Promise<T>): Promise<{ result: T; statements: string[] }> => {
    const before = queries.mock.calls.length;
    const result = await fn();
    const statements = queries.mock.calls.slice(before).map(([first]) => {
      const text = typeof first === 'string' ? first : (first as { text?: string } | undefined)?.text;
      return (text ?? '').replace(/\s+/g, ' ').slice(0, 60);
    });
    return { result, statements };
  };

  beforeAll(async () => {
    t = await startTestApp(backend);
    queries = vi.spyOn(pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }, 'query');
  });
  afterAll(async () => {
    queries.mockRestore();
    await t.close();
  });

  it('a password login from a browser without a device cookie is 3 round trips and its mailed code 2', async () => {
    const { patient, email } = await activatedPatient(t);
    const client = new PatientClient(t.app);
    // The rate limit's count, the login by CPR with the guess throttle's count, then one statement
    // with the throttle cleared, the challenge, the code mail and the audit row.
    const started = await count(() => client.startLogin(patient.cpr, PATIENT_PASSWORD));
    expect(started.result.statusCode).toBe(200);
    expect(started.statements, started.statements.join('\n')).toHaveLength(3);
    const code = mailedCode((await t.mailTo(email)).text)!;
    // The rate limit's count, then one statement that uses the code, opens the session and audits it.
    const { challengeId } = started.result.json<{ challengeId: string }>();
    const entered = await count(() => client.enterCode(challengeId, code));
    expect(entered.result.statusCode).toBe(200);
    expect(entered.statements, entered.statements.join('\n')).toHaveLength(2);
    // What the one statement wrote: a session that works, and the login's audit row.
    expect((await client.get('/api/patient/me')).statusCode).toBe(200);
    const account = await t.ctx.db.selectFrom('patient_accounts').select('id').where('cpr', '=', patient.cpr).executeTakeFirstOrThrow();
    const audited = await t.ctx.db
      .selectFrom('audit_events')
      .select('action')
      .where('actor_type', '=', 'patient')
      .where('actor_id', '=', account.id)
      .where('action', 'in', ['patient.login_code_sent', 'patient.login'])
      .execute();
    expect(audited.map((row) => row.action).sort()).toEqual(['patient.login', 'patient.login_code_sent']);
  });

  it('a wrong password sends the statements an unknown login sends, one for one', async () => {
    const { patient } = await activatedPatient(t);
    const wrong = await count(() => new PatientClient(t.app).startLogin(patient.cpr, 'not the password at all'));
    const unknown = await count(() => new PatientClient(t.app).startLogin('0101019999', 'not the password at all'));
    expect(wrong.result.statusCode).toBe(401);
    expect(unknown.result.statusCode).toBe(401);
    expect(unknown.statements).toEqual(wrong.statements);
  });

  it('an authenticated staff request starts with one round trip: the session, its user and clinics', async () => {
    const clinic = await buildClinic(t.ctx.db);
    const user = await buildStaff(t.ctx.db, { clinics: [{ id: clinic.id }] });
    const staff = new StaffClient(t.app);
    await staff.login(user.email, user.password);
    const session = await count(() => staff.get('/api/session'));
    expect(session.result.statusCode).toBe(200);
    expect(session.statements, session.statements.join('\n')).toHaveLength(1);
  });

  it('approving a new MitID-identified patient from Loginbestillinger is 2 round trips, one whose identity was checked in person 6', async () => {
    const clinic = await buildClinic(t.ctx.db);
    const user = await buildStaff(t.ctx.db, { clinics: [{ id: clinic.id }] });
    const staff = new StaffClient(t.app);
    await staff.login(user.email, user.password);
    // The staff session with its clinics; then one statement with the request locked and checked,
    // the patient record created, the login created, the membership, the request's outcome, the
    // mail, the audit row and the clinic systems' event.
    const byMitid = await buildLoginRequest(t.ctx.db, clinic.id);
    const approved = await count(() => staff.post(`/api/login-requests/${byMitid.id}/approve`, { rights: ['econsultation'] }));
    expect(approved.result.statusCode, approved.result.body).toBe(200);
    expect(approved.statements, approved.statements.join('\n')).toHaveLength(2);
    // Identity checked by the clinic, not by MitID: the one statement writes nothing; then in one
    // transaction (begin, commit) the request locked with the record and login found or created,
    // and one statement with the membership, the request's outcome, the activation link, the mail,
    // the audit row and the event.
    const checkedInPerson = await buildLoginRequest(t.ctx.db, clinic.id, { identity_verified: 'none' });
    const viaTransaction = await count(() =>
      staff.post(`/api/login-requests/${checkedInPerson.id}/approve`, { rights: ['econsultation'], identityChecked: true }),
    );
    expect(viaTransaction.result.statusCode, viaTransaction.result.body).toBe(200);
    expect(viaTransaction.statements, viaTransaction.statements.join('\n')).toHaveLength(6);
  });
});
