import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/databases.ts';
import { activatedPatient, patientLogin } from '../../../test/helpers/portal.ts';
import { startTestApp, type StaffClient, type TestApp } from '../../../test/helpers/test-app.ts';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex').toString('base64');

/**
 * Every staff GET that returns one patient's data writes exactly one audit row for that patient.
 * The routes come from the OpenAPI document: a new route whose path names one patient's data
 * (a patient, a thread or an attachment) is tested here without anyone remembering to add it,
 * and fails until it writes its audit row.
 */
describe.each(backends)('audit completeness of staff reads (%s)', (backend) => {
  let t: TestApp;
  let secretary: StaffClient;
  let ids: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp(backend);
    const setup = await activatedPatient(t);
    secretary = setup.secretary;
    const patient = await patientLogin(t, setup.patient.cpr, setup.email);
    const created = await patient.post(`/api/patient/clinics/${setup.clinic.id}/econsultations`, {
      subject: 'Ondt i knæet',
      body: 'Se billedet',
      attachments: [{ filename: 'knæ.png', data: PNG }],
    });
    expect(created.statusCode).toBe(201);
    const thread = (await patient.get(`/api/patient/clinics/${setup.clinic.id}/econsultations/${created.json().id}`)).json();
    ids = { clinicId: setup.clinic.id, patientId: setup.patient.id, threadId: created.json().id, attachmentId: thread.messages[0].attachments[0].id };
  });
  afterAll(() => t.close());

  const onePatientParams = ['patientId', 'threadId', 'attachmentId'];

  it('finds the staff routes that read one patient’s data in the OpenAPI document', async () => {
    const paths = await staffPatientReads();
    expect(paths.length).toBeGreaterThanOrEqual(5);
  });

  async function staffPatientReads(): Promise<string[]> {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/docs/json' })).json<{ paths: Record<string, Record<string, unknown>> }>();
    return Object.entries(doc.paths)
      .filter(([path, methods]) => 'get' in methods && path.startsWith('/api/clinics/{clinicId}/') && onePatientParams.some((p) => path.includes(`{${p}}`)))
      .map(([path]) => path);
  }

  it('writes exactly one audit row for the patient on every such read', async () => {
    for (const path of await staffPatientReads()) {
      const url = path.replace(/\{(\w+)\}/g, (_match, name: string) => {
        const value = ids[name];
        if (!value) throw new Error(`teach this test an id for {${name}} in ${path}`);
        return value;
      });
      const before = await t.ctx.db.selectFrom('audit_events').select('id').where('patient_id', '=', ids.patientId!).execute();
      const response = await secretary.get(url);
      expect(response.statusCode, path).toBe(200);
      const after = await t.ctx.db.selectFrom('audit_events').select(['id', 'actor_type', 'action']).where('patient_id', '=', ids.patientId!).execute();
      const added = after.filter((row) => !before.some((b) => b.id === row.id));
      expect(added, `${path} must write one audit row`).toHaveLength(1);
      expect(added[0]?.actor_type).toBe('staff');
    }
  });
});
