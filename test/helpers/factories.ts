import { randomBytes } from 'node:crypto';
import type { Database } from '../../src/db/database.ts';
import type { PortalFunction, Specialty, StaffRole } from '../../src/db/schema.ts';
import { hashPassword } from '../../src/features/auth/passwords.ts';

const unique = () => randomBytes(4).toString('hex');
export const TEST_PASSWORD = 'correct horse battery staple';
let passwordHash: Promise<string> | undefined;

export async function buildClinic(db: Database, overrides: { name?: string; specialty?: Specialty } = {}) {
  const specialty = overrides.specialty ?? 'almen_praksis';
  const suffix = unique();
  return db
    .insertInto('clinics')
    .values({
      name: overrides.name ?? `Klinik ${suffix}`,
      slug: `klinik-${suffix}`,
      specialty,
      ydernummer: specialty === 'almen_praksis' ? String(100000 + Math.floor(Math.random() * 899999)) : null,
    })
    .returning(['id', 'name', 'slug'])
    .executeTakeFirstOrThrow();
}

export async function buildStaff(
  db: Database,
  options: { clinics?: { id: string; role?: StaffRole }[]; isSupport?: boolean; email?: string; name?: string } = {},
) {
  passwordHash ??= hashPassword(TEST_PASSWORD);
  const email = options.email ?? `staff-${unique()}@klinik.test`;
  const user = await db
    .insertInto('staff_users')
    .values({ email, name: options.name ?? 'Test Medarbejder', password_hash: await passwordHash, is_support: options.isSupport ?? false })
    .returning(['id'])
    .executeTakeFirstOrThrow();
  for (const clinic of options.clinics ?? []) {
    await db
      .insertInto('staff_memberships')
      .values({ user_id: user.id, clinic_id: clinic.id, role: clinic.role ?? 'staff' })
      .execute();
  }
  return { id: user.id, email, password: TEST_PASSWORD };
}

let serial = 0;
export async function buildPatient(db: Database, clinicId: string, overrides: { given_name?: string; family_name?: string; cpr?: string } = {}) {
  serial += 1;
  const cpr = overrides.cpr ?? `0101${String(50 + (serial % 50)).padStart(2, '0')}${String(1000 + serial).slice(-4)}`;
  return db
    .insertInto('patients')
    .values({
      clinic_id: clinicId,
      cpr,
      given_name: overrides.given_name ?? 'Test',
      family_name: overrides.family_name ?? `Patient${serial}`,
      address: 'Testvej 1',
      postal_code: '8000',
      city: 'Aarhus C',
      phone: '12345678',
      email: `patient${serial}@example.test`,
    })
    .returning(['id', 'cpr', 'given_name', 'family_name'])
    .executeTakeFirstOrThrow();
}

let requestSerial = 0;
export async function buildLoginRequest(
  db: Database,
  clinicId: string,
  overrides: Partial<{
    cpr: string;
    name: string;
    email: string;
    identity_verified: 'mitid' | 'none';
    reason: 'manual_clinic' | 'not_own_doctor' | 'registry_unavailable' | 'no_mitid_clinic';
    created_at: Date;
  }> = {},
) {
  requestSerial += 1;
  return db
    .insertInto('login_requests')
    .values({
      clinic_id: clinicId,
      cpr: overrides.cpr ?? `2002${String(60 + (requestSerial % 30)).padStart(2, '0')}${String(3000 + requestSerial).slice(-4)}`,
      name: overrides.name ?? `Anmoder ${requestSerial}`,
      birth_date: '1980-02-20',
      email: overrides.email ?? `request${requestSerial}-${Date.now()}@example.test`,
      phone: '12345678',
      identity_verified: overrides.identity_verified ?? 'mitid',
      mitid_uuid: (overrides.identity_verified ?? 'mitid') === 'mitid' ? `uuid-${requestSerial}-${Date.now()}` : null,
      status: 'open',
      reason: overrides.reason ?? 'manual_clinic',
      created_at: overrides.created_at ?? new Date(Date.UTC(2026, 0, 1) + requestSerial * 1000),
    })
    .returning(['id', 'cpr', 'email', 'name'])
    .executeTakeFirstOrThrow();
}

/**
 * A portal login (activated, no password) with a membership at one clinic: a person who logs in
 * with MitID, as after self-registration. For tests that run the server in a process of its own.
 */
export async function buildPortalLogin(db: Database, options: { cpr: string; email: string; clinicId: string; patientId: string; rights?: PortalFunction[] }) {
  const now = new Date();
  const account = await db
    .insertInto('patient_accounts')
    .values({ cpr: options.cpr, email: options.email, activated_at: now, created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('portal_memberships')
    .values({
      account_id: account.id,
      clinic_id: options.clinicId,
      patient_id: options.patientId,
      rights: options.rights ?? ['econsultation', 'booking', 'renewal'],
      wants_electronic_reply: true,
      created_at: now,
    })
    .execute();
  return account;
}
