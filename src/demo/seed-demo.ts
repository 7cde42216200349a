import { readFileSync } from 'node:fs';
import type { Database } from '../db/database.ts';
import { importGpRegistryCsv } from '../features/gp-registry/import-gp-registry.ts';
import { importCustodyCsv } from '../features/custody/import-custody.ts';
import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { audit } from '../features/audit/audit.ts';
import { hashPassword } from '../features/auth/passwords.ts';
import { DEMO_FAMILY, DEMO_PASSWORD, DEMO_PATIENT, demoClinics, demoPatients, demoStaff } from './demo-data.ts';

/**
 * The portal functions at Lægerne Søndergade: times to book over the next two weeks, medication
 * lists, a few e-konsultationer, and one patient with a login (DEMO_PATIENT) to try them.
 */
async function seedPortalDemo(trx: Transaction<DB>, clinicId: string, passwordHash: string, now: Date) {
  const day = 86_400_000;
  const startOfDay = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  for (let d = 1; d <= 14; d++) {
    // A general practice has no times on Saturdays and Sundays.
    const weekday = new Date(startOfDay + d * day).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    for (const hour of [8, 9, 10, 13]) {
      await trx
        .insertInto('booking_slots')
        .values({
          clinic_id: clinicId,
          practitioner: d % 2 ? 'Læge Birgit Holm' : 'Læge Jonas Krogh',
          starts_at: new Date(startOfDay + d * day + hour * 3_600_000),
          duration_minutes: 15,
          kind: 'Konsultation',
          created_at: now,
        })
        .execute();
    }
  }
  const patients = await trx.selectFrom('patients').select(['id', 'cpr', 'email']).where('clinic_id', '=', clinicId).orderBy('given_name').limit(6).execute();
  const threadSubjects = ['Spørgsmål om blodtryk', 'Udslæt på armen', 'Prøvesvar'];
  for (const [i, p] of patients.entries()) {
    await trx
      .insertInto('medications')
      .values({ clinic_id: clinicId, patient_id: p.id, name: 'Amlodipin', dosage: '5 mg, 1 tablet dagligt', renewable_online: true, created_at: now })
      .execute();
    await trx
      .insertInto('medications')
      .values({
        clinic_id: clinicId,
        patient_id: p.id,
        name: i % 2 ? 'Zopiclon' : 'Metformin',
        dosage: i % 2 ? '7,5 mg efter behov' : '500 mg, 2 gange dagligt',
        habit_forming: i % 2 === 1,
        renewable_online: i % 2 === 0,
        created_at: now,
      })
      .execute();
    const subject = threadSubjects[i];
    if (subject !== undefined) {
      const thread = await trx
        .insertInto('econsultation_threads')
        .values({
          clinic_id: clinicId,
          patient_id: p.id,
          subject,
          created_at: now,
          last_message_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('econsultation_messages')
        .values({ thread_id: thread.id, sender: 'patient', body: 'Hej, jeg har et spørgsmål. Kan I ringe mig op eller svare her?', created_at: now })
        .execute();
      if (i === 0) {
        // One answer the patient has not read yet, so the demo shows an unread marker.
        await trx
          .insertInto('econsultation_messages')
          .values({ thread_id: thread.id, sender: 'clinic', body: 'Vi svarer her: dit blodtryk ser fint ud. Mål det igen om en måned.', created_at: now })
          .execute();
      }
    }
  }
  const demo = patients.find((p) => p.cpr === DEMO_PATIENT.cpr) ?? patients[0];
  if (!demo) throw new Error('demo: the clinic has no patients to give a login');
  const account = await trx
    .insertInto('patient_accounts')
    .values({ cpr: demo.cpr, email: demo.email, password_hash: passwordHash, activated_at: now, created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('portal_memberships')
    .values({
      account_id: account.id,
      clinic_id: clinicId,
      patient_id: demo.id,
      rights: ['econsultation', 'booking', 'renewal'],
      wants_electronic_reply: true,
      created_at: now,
    })
    .execute();
}

/**
 * The Hansen family at the clinic: Mette with a login (she logs in with MitID as a test person),
 * Jonas without one, and Emma (under 15) with Forældreadgang to all three functions, so a parent
 * can switch to "Du handler for Emma" out of the box.
 */
async function seedFamilyDemo(trx: Transaction<DB>, clinicId: string, now: Date) {
  const { parent, otherParent, child } = DEMO_FAMILY;
  const rows = await trx
    .insertInto('patients')
    .values([parent, otherParent, child].map((person) => ({ ...person, clinic_id: clinicId })))
    .returning(['id', 'cpr'])
    .execute();
  const mette = rows.find((r) => r.cpr === parent.cpr);
  const emma = rows.find((r) => r.cpr === child.cpr);
  if (!mette || !emma) throw new Error('demo: the family was not created');
  const account = await trx
    .insertInto('patient_accounts')
    .values({ cpr: parent.cpr, email: parent.email, password_hash: null, activated_at: now, created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('portal_memberships')
    .values({ account_id: account.id, clinic_id: clinicId, patient_id: mette.id, rights: ['econsultation', 'booking', 'renewal'], created_at: now })
    .execute();
  await trx
    .insertInto('child_access')
    .values({
      clinic_id: clinicId,
      patient_id: emma.id,
      rights: ['econsultation', 'booking', 'renewal'],
      wants_electronic_reply: true,
      holder_cprs: [parent.cpr, otherParent.cpr],
      created_at: now,
      created_by: null,
    })
    .execute();
  await trx
    .insertInto('medications')
    .values({ clinic_id: clinicId, patient_id: emma.id, name: 'Ventoline', dosage: '0,1 mg/dosis, 2 pust ved behov', renewable_online: true, created_at: now })
    .execute();
}

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
    const idOf = (clinicKey: string) => {
      const id = ids.get(clinicKey);
      if (id === undefined) throw new Error(`demo: no clinic "${clinicKey}"`);
      return id;
    };
    for (const staff of demoStaff) {
      const user = await trx
        .insertInto('staff_users')
        .values({ email: staff.email, name: staff.name, password_hash: passwordHash, is_support: 'isSupport' in staff })
        .returning('id')
        .executeTakeFirstOrThrow();
      for (const [clinicKey, role] of staff.clinics) {
        await trx
          .insertInto('staff_memberships')
          .values({ user_id: user.id, clinic_id: idOf(clinicKey), role })
          .execute();
      }
    }
    for (const { clinics, ...patient } of demoPatients()) {
      for (const clinicKey of clinics) {
        await trx
          .insertInto('patients')
          .values({ ...patient, clinic_id: idOf(clinicKey) })
          .execute();
      }
    }
    await seedPortalDemo(trx, idOf('soendergade'), passwordHash, now);
    await seedFamilyDemo(trx, idOf('soendergade'), now);
    await audit(trx, { type: 'system', id: null, ip: null }, now, { action: 'demo.loaded' });
  });
  // The GP registry the demo's "egen læge" checks use: its patients and the MitID test persons.
  await importGpRegistryCsv(db, readFileSync(new URL('./gp-registry.csv', import.meta.url), 'utf8'), { type: 'system', id: null, ip: null }, now);
  // Forældremyndighed for the demo's children: Emma Hansen (Mette Hansen and Jonas Hansen) and the
  // MitID test broker's Lille Barnesen (Lise Prøvesen and Mads Testesen).
  await importCustodyCsv(db, readFileSync(new URL('./custody.csv', import.meta.url), 'utf8'), { type: 'system', id: null, ip: null }, now);
  return true;
}
