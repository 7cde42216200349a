import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';

export interface SyncedPatient {
  id: string;
  external_id: string | null;
  cpr: string;
  given_name: string;
  family_name: string;
  address: string | null;
  postal_code: string | null;
  city: string | null;
  phone: string | null;
  email: string | null;
  has_portal_access: boolean;
}

export type PatientValues = Omit<SyncedPatient, 'id' | 'has_portal_access'> & { external_id: string };

/** The clinic's patients matching any of the external ids or CPR numbers, locked for the upsert. */
export async function lockMatching(trx: Kysely<DB>, clinicId: string, externalIds: string[], cprs: string[]): Promise<SyncedPatient[]> {
  return trx
    .selectFrom('patients as p')
    .select(['p.id', 'p.external_id', 'p.cpr', 'p.given_name', 'p.family_name', 'p.address', 'p.postal_code', 'p.city', 'p.phone', 'p.email'])
    .select((eb) =>
      eb
        .exists(eb.selectFrom('portal_memberships as m').select('m.id').whereRef('m.patient_id', '=', 'p.id').where('m.ended_at', 'is', null))
        .$castTo<boolean>()
        .as('has_portal_access'),
    )
    .where('p.clinic_id', '=', clinicId)
    .where((eb) => eb.or([eb('p.external_id', '=', eb.fn.any(eb.val(externalIds))), eb('p.cpr', '=', eb.fn.any(eb.val(cprs)))]))
    .forUpdate('p')
    .execute();
}

/** One statement for all new patients of a batch; returns their ids in input order. */
export async function insertPatients(trx: Kysely<DB>, clinicId: string, rows: PatientValues[]): Promise<string[]> {
  if (rows.length === 0) return [];
  const inserted = await trx
    .insertInto('patients')
    .values(rows.map((r) => ({ ...r, clinic_id: clinicId })))
    .returning(['id', 'external_id'])
    .execute();
  const ids = new Map(inserted.map((r) => [r.external_id, r.id]));
  return rows.map((r) => {
    const id = ids.get(r.external_id);
    if (!id) throw new Error('insertPatients: a row came back without its external id');
    return id;
  });
}

/** One statement for all changed patients of a batch (UPDATE ... FROM a VALUES list). */
export async function updatePatients(trx: Kysely<DB>, clinicId: string, rows: (PatientValues & { id: string })[]): Promise<void> {
  if (rows.length === 0) return;
  const values = sql.join(
    rows.map(
      (r) =>
        sql`(${r.id}::uuid, ${r.external_id}, ${r.cpr}, ${r.given_name}, ${r.family_name}, ${r.address}, ${r.postal_code}, ${r.city}, ${r.phone}, ${r.email})`,
    ),
  );
  await sql`
    update patients p set external_id = v.external_id, cpr = v.cpr, given_name = v.given_name, family_name = v.family_name,
      address = v.address, postal_code = v.postal_code, city = v.city, phone = v.phone, email = v.email
    from (values ${values}) as v(id, external_id, cpr, given_name, family_name, address, postal_code, city, phone, email)
    where p.id = v.id and p.clinic_id = ${clinicId}`.execute(trx);
}
