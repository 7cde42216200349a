import type { Database } from '../../db/database.ts';

/** Whether a clinic requires a second factor of its staff (its admins decide). */
export async function clinicRequiresSecondFactor(db: Database, clinicId: string): Promise<boolean> {
  const clinic = await db.selectFrom('clinics').select('require_staff_2fa').where('id', '=', clinicId).executeTakeFirstOrThrow();
  return clinic.require_staff_2fa;
}

export async function setClinicRequiresSecondFactor(db: Database, clinicId: string, required: boolean): Promise<void> {
  await db.updateTable('clinics').set({ require_staff_2fa: required }).where('id', '=', clinicId).execute();
}

/** Whether every staff user of every clinic must have one (support decides). */
export async function platformRequiresSecondFactor(db: Database): Promise<boolean> {
  const row = await db.selectFrom('platform_settings').select('require_staff_2fa').executeTakeFirstOrThrow();
  return row.require_staff_2fa;
}

export async function setPlatformRequiresSecondFactor(db: Database, required: boolean): Promise<void> {
  await db.updateTable('platform_settings').set({ require_staff_2fa: required }).execute();
}
