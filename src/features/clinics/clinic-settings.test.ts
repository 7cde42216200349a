import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/databases.ts';
import { buildClinic, buildStaff } from '../../../test/helpers/factories.ts';
import { StaffClient, startTestApp, type TestApp } from '../../../test/helpers/test-app.ts';

describe.each(backends)('clinic settings (Systemmanager -> E-moduler) on %s', (backend) => {
  let t: TestApp;
  let clinicId: string;
  let admin: StaffClient;
  let secretary: StaffClient;
  let support: StaffClient;
  const settings = (overrides: Record<string, unknown> = {}) => ({
    specialty: 'almen_praksis',
    ydernummer: '123456',
    usesMitid: true,
    selfRegistration: 'manual',
    offeredFunctions: ['econsultation', 'booking'],
    econsultationMaxLength: 600,
    bookingMinHoursAhead: 4,
    bookingMaxDaysAhead: 30,
    ...overrides,
  });
  const login = async (options: Parameters<typeof buildStaff>[1]) => {
    const user = await buildStaff(t.ctx.db, options);
    const client = new StaffClient(t.app);
    await client.login(user.email, user.password);
    return client;
  };

  beforeAll(async () => {
    t = await startTestApp(backend);
    clinicId = (await buildClinic(t.ctx.db)).id;
    admin = await login({ clinics: [{ id: clinicId, role: 'admin' }] });
    secretary = await login({ clinics: [{ id: clinicId }] });
    support = await login({ isSupport: true });
  });
  afterAll(() => t.close());

  it('lets the clinic admin change the settings, audited with before and after, and staff only read them', async () => {
    const saved = await admin.put(`/api/clinics/${clinicId}/settings`, settings());
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toMatchObject({
      selfRegistration: 'manual',
      offeredFunctions: ['econsultation', 'booking'],
      econsultationMaxLength: 600,
      bookingMinHoursAhead: 4,
      bookingMaxDaysAhead: 30,
    });
    const inverted = await admin.put(`/api/clinics/${clinicId}/settings`, settings({ bookingMinHoursAhead: 720, bookingMaxDaysAhead: 1 }));
    expect(inverted.json().error.field).toBe('bookingMinHoursAhead');
    expect((await secretary.get(`/api/clinics/${clinicId}/settings`)).json().econsultationMaxLength).toBe(600);
    expect((await secretary.put(`/api/clinics/${clinicId}/settings`, settings())).statusCode).toBe(403);
    const [row] = await t.ctx.db
      .selectFrom('audit_events')
      .select('details')
      .where('action', '=', 'clinic.settings_changed')
      .where('clinic_id', '=', clinicId)
      .execute();
    expect(row!.details).toMatchObject({ econsultation_max_length: { before: 400, after: 600 }, self_registration: { before: 'none', after: 'manual' } });
  });

  it('refuses automatic approval without MitID, and without support’s switch, saying why', async () => {
    const noMitid = await admin.put(`/api/clinics/${clinicId}/settings`, settings({ usesMitid: false, selfRegistration: 'automatic' }));
    expect(noMitid.statusCode).toBe(400);
    expect(noMitid.json().error).toMatchObject({ code: 'automatic_not_allowed', field: 'selfRegistration' });
    expect(noMitid.json().error.message.da).toContain('anvender MitID');
    const noSwitch = await admin.put(`/api/clinics/${clinicId}/settings`, settings({ selfRegistration: 'automatic' }));
    expect(noSwitch.json().error.message.da).toContain('support');
  });

  it('lets only vendor support set the switch; then the admin may choose automatic; switching off moves the clinic to manual', async () => {
    expect((await admin.put(`/api/support/clinics/${clinicId}/auto-approval`, { allowed: true })).statusCode).toBe(403);
    expect((await support.put(`/api/support/clinics/${clinicId}/auto-approval`, { allowed: true })).json().autoApprovalAllowed).toBe(true);
    expect((await admin.put(`/api/clinics/${clinicId}/settings`, settings({ selfRegistration: 'automatic' }))).json().selfRegistration).toBe('automatic');
    const off = await support.put(`/api/support/clinics/${clinicId}/auto-approval`, { allowed: false });
    expect(off.json()).toMatchObject({ autoApprovalAllowed: false, selfRegistration: 'manual' });
    const audits = await t.ctx.db
      .selectFrom('audit_events')
      .select(['actor_type', 'details'])
      .where('action', '=', 'clinic.auto_approval_switched')
      .where('clinic_id', '=', clinicId)
      .execute();
    expect(audits.map((a) => a.details)).toEqual([
      { allowed: true, movedToManual: false },
      { allowed: false, movedToManual: true },
    ]);
    expect(audits.every((a) => a.actor_type === 'support')).toBe(true);
  });

  it('keeps admins of another clinic out', async () => {
    const other = await login({ clinics: [{ id: (await buildClinic(t.ctx.db)).id, role: 'admin' }] });
    expect((await other.get(`/api/clinics/${clinicId}/settings`)).statusCode).toBe(403);
    expect((await other.put(`/api/clinics/${clinicId}/settings`, settings())).statusCode).toBe(403);
  });
});
