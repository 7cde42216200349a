import type { Database } from '../../db/database.ts';
import type { Specialty } from '../../db/schema.ts';
import { AppError, errors } from '../../errors.ts';
import { audit, type Actor } from '../audit/audit.ts';

export interface NewClinic {
  name: string;
  slug?: string;
  specialty: Specialty;
  ydernummer?: string | null;
  usesMitid?: boolean;
}

export function slugify(name: string): string {
  return name
    .toLowerCase()
    .replace(/æ/g, 'ae')
    .replace(/ø/g, 'oe')
    .replace(/å/g, 'aa')
    .normalize('NFD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

export async function createClinic(db: Database, input: NewClinic, actor: Actor, now: Date): Promise<{ id: string; slug: string }> {
  const name = input.name.trim();
  if (!name) throw errors.validation('name', { da: 'Navn mangler.', en: 'Name is missing.' });
  if (input.specialty === 'almen_praksis' && !/^\d{6}$/.test(input.ydernummer ?? '')) {
    throw errors.validation('ydernummer', {
      da: 'Almen praksis skal have et ydernummer på 6 cifre.',
      en: 'A general practice needs a 6-digit ydernummer.',
    });
  }
  const slug = input.slug ?? slugify(name);
  return db.transaction().execute(async (trx) => {
    const clash = await trx.selectFrom('clinics').select('id').where('slug', '=', slug).executeTakeFirst();
    if (clash) throw new AppError(409, 'slug_taken', { da: `Klinikken "${slug}" findes allerede.`, en: `The clinic "${slug}" already exists.` });
    const row = await trx
      .insertInto('clinics')
      .values({
        name,
        slug,
        specialty: input.specialty,
        // Validated above: a general practice always has one here.
        ydernummer: input.ydernummer ?? null,
        uses_mitid: input.usesMitid ?? false,
        // Self-registration starts off; the clinic admin turns it on (later issue).
        self_registration: 'none',
      })
      .returning(['id', 'slug'])
      .executeTakeFirstOrThrow();
    await audit(trx, actor, now, { action: 'clinic.created', clinicId: row.id, details: { name, specialty: input.specialty } });
    return row;
  });
}
