import { readFileSync } from 'node:fs';
import type { Database } from '../db/database.ts';
import { importGpRegistryCsv } from '../features/gp-registry/import-gp-registry.ts';
import type { StaffRole } from '../db/schema.ts';
import { audit } from '../features/audit/audit.ts';
import { hashPassword } from '../features/auth/passwords.ts';
import { DEMO_PASSWORD, demoClinics, demoPatients, demoStaff } from './demo-data.ts';

/** Loads the demo into an empty database, in one transaction. Returns false when data exists. */
export async function seedDemoIfEmpty(db: Database, now: Date): Promise<boolean> {
  const any = await db.selectFrom('clinics').select('id').limit(1).executeTakeFirst();
  if (any) return false;
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await db.transaction().execute(async (trx) => {
    // Another process may have seeded between the check and here; the unique slug then stops us.
    const ids = new Map<string, string>();
    for (const { key, ...clinic } of demoClinics) {
      const row = await trx.insertInto('clinics').values(clinic).returning('id').executeTakeFirstOrThrow();
      ids.set(key, row.id);
    }
    for (const staff of demoStaff) {
      const user = await trx
        .insertInto('staff_users')
        .values({ email: staff.email, name: staff.name, password_hash: passwordHash, is_support: 'isSupport' in staff })
        .returning('id')
        .executeTakeFirstOrThrow();
      for (const [clinicKey, role] of staff.clinics) {
        await trx
          .insertInto('staff_memberships')
          .values({ user_id: user.id, clinic_id: ids.get(clinicKey)!, role: role as StaffRole })
          .execute();
      }
    }
    for (const { clinics, ...patient } of demoPatients()) {
      for (const clinicKey of clinics) {
        await trx.insertInto('patients').values({ ...patient, clinic_id: ids.get(clinicKey)! }).execute();
      }
    }
    await audit(trx, { type: 'system', id: null, ip: null }, now, { action: 'demo.loaded' });
  });
  // The GP registry the demo's "egen læge" checks use: its patients and the MitID test persons.
  await importGpRegistryCsv(db, readFileSync(new URL('./gp-registry.csv', import.meta.url), 'utf8'), { type: 'system', id: null, ip: null }, now);
  return true;
}
