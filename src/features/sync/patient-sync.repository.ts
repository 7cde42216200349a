import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Actor } from '../audit/audit.ts';

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
      // A login's membership, or parents' access to a child's record: either way someone reaches the
      // record through its CPR number, so the number must not be re-keyed to another person.
      eb
        .or([
          eb.exists(eb.selectFrom('portal_memberships as m').select('m.id').whereRef('m.patient_id', '=', 'p.id').where('m.ended_at', 'is', null)),
          eb.exists(eb.selectFrom('child_access as ca').select('ca.id').whereRef('ca.patient_id', '=', 'p.id').where('ca.ended_at', 'is', null)),
        ])
        .$castTo<boolean>()
        .as('has_portal_access'),
    )
    .where('p.clinic_id', '=', clinicId)
    .where((eb) => eb.or([eb('p.external_id', '=', eb.fn.any(eb.val(externalIds))), eb('p.cpr', '=', eb.fn.any(eb.val(cprs)))]))
    .forUpdate('p')
    .execute();
}

/** Who writes a batch, and when: each written patient gets its own audit row (Min log lists it to the patient). */
export interface SyncAudit {
  actor: Actor;
  now: Date;
}

/**
 * The batch as one array parameter per column, unnested in SQL (`unnest(...) with ordinality`):
 * ten parameters whatever the batch size, instead of a VALUES list of ten per line, which
 * PostgreSQL has to parse and plan anew for every batch size.
 */
function columns(rows: PatientValues[]) {
  return {
    externalIds: rows.map((r) => r.external_id),
    cprs: rows.map((r) => r.cpr),
    givenNames: rows.map((r) => r.given_name),
    familyNames: rows.map((r) => r.family_name),
    addresses: rows.map((r) => r.address),
    postalCodes: rows.map((r) => r.postal_code),
    cities: rows.map((r) => r.city),
    phones: rows.map((r) => r.phone),
    emails: rows.map((r) => r.email),
  };
}

const unnested = (c: ReturnType<typeof columns>) =>
  sql`unnest(${c.externalIds}::text[], ${c.cprs}::text[], ${c.givenNames}::text[], ${c.familyNames}::text[], ${c.addresses}::text[],
    ${c.postalCodes}::text[], ${c.cities}::text[], ${c.phones}::text[], ${c.emails}::text[])`;

const auditInsert = (clinicId: string, { actor, now }: SyncAudit, action: string, from: string) => sql`
  insert into audit_events (occurred_at, actor_type, actor_id, clinic_id, patient_id, action, ip, details)
  select ${now}::timestamptz, ${actor.type}, ${actor.id}::uuid, ${clinicId}::uuid, w.id, ${action}, ${actor.ip},
    jsonb_build_object('externalId', w.external_id)
  from ${sql.table(from)} w order by w.n`;

/**
 * All new patients of a batch and their audit rows (patient.created_by_sync), in one statement;
 * returns the patients' ids in input order.
 */
export async function insertPatients(trx: Kysely<DB>, clinicId: string, rows: PatientValues[], audit: SyncAudit): Promise<string[]> {
  if (rows.length === 0) return [];
  const { rows: inserted } = await sql<{ id: string; n: string }>`
    with v as (
      select * from ${unnested(columns(rows))} with ordinality
        as v(external_id, cpr, given_name, family_name, address, postal_code, city, phone, email, n)
    ), ins as (
      insert into patients (clinic_id, external_id, cpr, given_name, family_name, address, postal_code, city, phone, email)
      select ${clinicId}::uuid, external_id, cpr, given_name, family_name, address, postal_code, city, phone, email from v order by n
      returning id, external_id
    ), written as (
      select ins.id, ins.external_id, v.n from ins join v using (external_id)
    ), audited as (${auditInsert(clinicId, audit, 'patient.created_by_sync', 'written')})
    select id, n from written order by n`.execute(trx);
  if (inserted.length !== rows.length) throw new Error('insertPatients: not every row came back');
  return inserted.map((r) => r.id);
}

/** All changed patients of a batch (UPDATE ... FROM the unnested arrays) and their audit rows (patient.updated_by_sync), in one statement. */
export async function updatePatients(trx: Kysely<DB>, clinicId: string, rows: (PatientValues & { id: string })[], audit: SyncAudit): Promise<void> {
  if (rows.length === 0) return;
  const { rows: updated } = await sql<{ id: string }>`
    with v as (
      select * from unnest(${rows.map((r) => r.id)}::uuid[]) with ordinality as i(id, n)
        join ${unnested(columns(rows))} with ordinality
          as c(external_id, cpr, given_name, family_name, address, postal_code, city, phone, email, n) using (n)
    ), upd as (
      update patients p set external_id = v.external_id, cpr = v.cpr, given_name = v.given_name, family_name = v.family_name,
        address = v.address, postal_code = v.postal_code, city = v.city, phone = v.phone, email = v.email
      from v where p.id = v.id and p.clinic_id = ${clinicId}::uuid
      returning p.id, p.external_id, v.n
    ), audited as (${auditInsert(clinicId, audit, 'patient.updated_by_sync', 'upd')})
    select id from upd`.execute(trx);
  if (updated.length !== rows.length) throw new Error('updatePatients: a locked patient was not updated');
}
