import { sql } from 'kysely';
import type { AppContext } from '../../context.ts';
import type { Clinic } from '../../db/schema.ts';
import { errors } from '../../errors.ts';
import { audit } from '../audit/audit.ts';
import { parseCpr } from '../patients/cpr.ts';
import { checkEmail } from '../staff/staff-accounts.ts';

export interface PublicRequestInput {
  name: string;
  cpr: string;
  email: string;
  phone: string | null;
}

/** At most this many requests per CPR number and hour reach the queue; more are dropped quietly. */
const PER_CPR_PER_HOUR = 3;

/**
 * The request form of a clinic without MitID. Nothing here proves who is asking, so the request
 * is marked "identitet ikke bekræftet" and the answer is the same whatever happened: stored,
 * already open, throttled or known patient.
 */
export class PublicRequestDesk {
  readonly #recent = new Map<string, number[]>();

  constructor(private readonly ctx: AppContext) {}

  static accepts(clinic: Pick<Clinic, 'uses_mitid' | 'self_registration'>): boolean {
    return !clinic.uses_mitid && clinic.self_registration === 'manual';
  }

  async submit(clinic: Clinic, input: PublicRequestInput, ip: string): Promise<void> {
    const cpr = parseCpr(input.cpr);
    if (!cpr) throw errors.validation('cpr', { da: 'Ugyldigt CPR-nummer (DDMMÅÅ-XXXX).', en: 'Invalid CPR number (DDMMYY-XXXX).' });
    const name = input.name.trim().replace(/\s+/g, ' ');
    if (name.length < 2) throw errors.validation('name', { da: 'Skriv dit fulde navn.', en: 'Enter your full name.' });
    const email = checkEmail(input.email);
    const phone = input.phone?.trim() || null;
    if (phone && !/^\+?[0-9 ]{8,16}$/.test(phone)) throw errors.validation('phone', { da: 'Ugyldigt telefonnummer.', en: 'Invalid phone number.' });
    const now = this.ctx.clock.now();
    if (!this.#allow(cpr.cpr, now.getTime())) return;
    const birthDate = cpr.birthDate.toISOString().slice(0, 10);
    await this.ctx.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('login_requests')
        .values({
          clinic_id: clinic.id,
          cpr: cpr.cpr,
          name,
          birth_date: birthDate,
          email,
          phone,
          identity_verified: 'none',
          status: 'open',
          reason: 'no_mitid_clinic',
          created_at: now,
        })
        .onConflict((oc) =>
          oc
            .columns(['clinic_id', 'cpr'])
            .where(sql<boolean>`status = 'open'`)
            .doNothing(),
        )
        .returning('id')
        .executeTakeFirst();
      if (inserted)
        await audit(trx, { type: 'patient', id: null, ip }, now, {
          action: 'registration.queued',
          clinicId: clinic.id,
          details: { reason: 'no_mitid_clinic', requestId: inserted.id },
        });
    });
  }

  #allow(cpr: string, now: number): boolean {
    const hourAgo = now - 3_600_000;
    const times = (this.#recent.get(cpr) ?? []).filter((t) => t > hourAgo);
    if (times.length >= PER_CPR_PER_HOUR) return false;
    times.push(now);
    this.#recent.set(cpr, times);
    if (this.#recent.size > 100_000) {
      const oldest = this.#recent.keys().next();
      if (!oldest.done) this.#recent.delete(oldest.value);
    }
    return true;
  }
}
