import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hours } from '../../clock.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { activatedPatient, patientLogin } from '../../../test/helpers/portal.ts';
import { startTestApp, type PatientClient, type StaffClient, type TestApp } from '../../../test/helpers/test-app.ts';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex').toString('base64');
const PDF = Buffer.from('%PDF-1.4\n%test\n').toString('base64');

describe.each(backends)('portal functions gated by rights on %s', (backend) => {
  let t: TestApp;
  let setup: Awaited<ReturnType<typeof activatedPatient>>;
  let patient: PatientClient;
  let secretary: StaffClient;
  let clinicId: string;
  const p = (path: string) => `/api/patient/clinics/${clinicId}${path}`;
  const c = (path: string) => `/api/clinics/${clinicId}${path}`;
  const setRights = (rights: string[], wantsElectronicReply = true) => secretary.put(setup.portalUrl, { rights, wantsElectronicReply });

  beforeAll(async () => {
    t = await startTestApp(backend);
    setup = await activatedPatient(t);
    patient = await patientLogin(t, setup.patient.cpr, setup.email);
    secretary = setup.secretary;
    clinicId = setup.clinic.id;
  });
  afterAll(() => t.close());

  describe('e-konsultation', () => {
    it('runs a thread both ways with unread counts, read marks and a notice mail that never holds the content', async () => {
      await setRights(['econsultation', 'booking', 'renewal']);
      const started = await patient.post(p('/econsultations'), { subject: 'Hoste', body: 'Jeg har hostet i to uger.' });
      expect(started.statusCode).toBe(201);
      const threadId = started.json().id;
      const inbox = (await secretary.get(c('/econsultations'))).json().threads;
      expect(inbox[0]).toMatchObject({ id: threadId, unread: 1, patientName: `${setup.patient.given_name} ${setup.patient.family_name}` });
      const opened = await secretary.get(c(`/econsultations/${threadId}`));
      expect(opened.json().messages[0].body).toBe('Jeg har hostet i to uger.');
      // Reading with GET marks nothing (a prefetch must not); the page that shows it POSTs …/read.
      expect((await secretary.get(c('/econsultations'))).json().threads[0].unread).toBe(1);
      expect((await secretary.post(c(`/econsultations/${threadId}/read`))).statusCode).toBe(200);
      expect((await secretary.get(c('/econsultations'))).json().threads[0].unread).toBe(0);
      const audits = await t.ctx.db
        .selectFrom('audit_events')
        .select('action')
        .where('action', '=', 'econsultation.viewed')
        .where('patient_id', '=', setup.patient.id)
        .execute();
      expect(audits).toHaveLength(1);

      expect((await secretary.post(c(`/econsultations/${threadId}/messages`), { body: 'Kom forbi klinikken.' })).statusCode).toBe(201);
      const notice = await t.mailTo(setup.email);
      expect(notice.subject).toContain('Nyt svar');
      expect(notice.text).not.toContain('Kom forbi klinikken');
      expect((await patient.get(p('/econsultations'))).json().threads[0].unread).toBe(1);
      const read = (await patient.get(p(`/econsultations/${threadId}`))).json();
      expect(read.messages.map((m: { sender: string }) => m.sender)).toEqual(['patient', 'clinic']);
      expect((await patient.get(p('/econsultations'))).json().threads[0].unread).toBe(1);
      expect((await patient.post(p(`/econsultations/${threadId}/read`))).statusCode).toBe(200);
      expect((await patient.get(p('/econsultations'))).json().threads[0].unread).toBe(0);
      expect(read.messages[0].readAt).not.toBeNull();

      await setRights(['econsultation'], false);
      const before = t.mailCount(setup.email);
      await secretary.post(c(`/econsultations/${threadId}/messages`), { body: 'Endnu et svar.' });
      await t.mailTo(setup.email).catch(() => undefined);
      expect(t.mailCount(setup.email)).toBe(before);

      await secretary.post(c(`/econsultations/${threadId}/close`));
      expect((await patient.post(p(`/econsultations/${threadId}/messages`), { body: 'Tak' })).json().error.code).toBe('thread_closed');
    });

    it('keeps a message within the clinic’s max length (default 400)', async () => {
      await setRights(['econsultation']);
      const long = await patient.post(p('/econsultations'), { subject: 'Lang', body: 'x'.repeat(401) });
      expect(long.statusCode).toBe(400);
      expect(long.json().error.field).toBe('body');
      expect((await patient.post(p('/econsultations'), { subject: 'Præcis', body: 'x'.repeat(400) })).statusCode).toBe(201);
    });

    it('takes up to 3 images or PDFs, checked by content, and serves them only to those allowed', async () => {
      await setRights(['econsultation']);
      const fake = await patient.post(p('/econsultations'), {
        subject: 'Fil',
        body: 'Se fil',
        attachments: [{ filename: 'billede.png', data: Buffer.from('not an image').toString('base64') }],
      });
      expect(fake.statusCode).toBe(400);
      expect(fake.json().error.field).toBe('attachments');
      const four = await patient.post(p('/econsultations'), {
        subject: 'Filer',
        body: 'Se filer',
        attachments: Array.from({ length: 4 }, () => ({ filename: 'a.png', data: PNG })),
      });
      expect(four.statusCode).toBe(400);
      const ok = await patient.post(p('/econsultations'), {
        subject: 'Filer',
        body: 'Se filer',
        attachments: [
          { filename: 'udslæt.png', data: PNG },
          { filename: 'svar.pdf', data: PDF },
        ],
      });
      const thread = (await patient.get(p(`/econsultations/${ok.json().id}`))).json();
      const [image, pdf] = thread.messages[0].attachments;
      expect(image).toMatchObject({ filename: 'udslæt.png', contentType: 'image/png' });
      expect(pdf.contentType).toBe('application/pdf');
      const served = await patient.get(p(`/attachments/${image.id}`));
      expect(served.statusCode).toBe(200);
      expect(served.headers['content-type']).toBe('image/png');
      expect((await secretary.get(c(`/attachments/${pdf.id}`))).statusCode).toBe(200);

      const other = await activatedPatient(t);
      const otherClient = await patientLogin(t, other.patient.cpr, other.email);
      expect((await otherClient.get(`/api/patient/clinics/${other.clinic.id}/attachments/${image.id}`)).statusCode).toBe(404);
      expect((await otherClient.get(p(`/attachments/${image.id}`))).statusCode).toBe(404);
      expect((await otherClient.get(p(`/econsultations/${ok.json().id}`))).statusCode).toBe(404);
      expect((await other.secretary.get(c(`/econsultations/${ok.json().id}`))).statusCode).toBe(403);
      expect((await other.secretary.get(`/api/clinics/${other.clinic.id}/econsultations/${ok.json().id}`)).statusCode).toBe(404);
    });

    it('tells a patient under 15 that custody holders can read along', async () => {
      const child = await activatedPatient(t, { cpr: '0101184012' });
      const client = await patientLogin(t, child.patient.cpr, child.email);
      expect((await client.get(`/api/patient/clinics/${child.clinic.id}/econsultations`)).json().custodyNotice).toBe(true);
      expect((await patient.get(p('/econsultations'))).json().custodyNotice).toBe(false);
    });
  });

  describe('e-tidsbestilling', () => {
    const publish = async (inHours: number) =>
      (
        await secretary.post(c('/slots'), {
          practitioner: 'Læge Hansen',
          startsAt: new Date(t.clock.now().getTime() + hours(inHours)).toISOString(),
          durationMinutes: 15,
          kind: 'Konsultation',
        })
      ).json().id as string;

    it('offers free times inside the booking window, books, shows "Dine tider" and cancels until 48 hours before', async () => {
      await setRights(['booking']);
      const tooSoon = await publish(1);
      const far = await publish(24 * 70);
      const later = await publish(72);
      const soon = await publish(24);
      const view = (await patient.get(p('/booking'))).json();
      const free = view.free.map((s: { id: string }) => s.id);
      expect(free).toEqual(expect.arrayContaining([later, soon]));
      expect(free).not.toContain(tooSoon);
      expect(free).not.toContain(far);
      // The clinic widens its window: the far time becomes bookable on the next request.
      await t.ctx.db.updateTable('clinics').set({ booking_max_days_ahead: 90, booking_min_hours_ahead: 0 }).where('id', '=', clinicId).execute();
      const widened = (await patient.get(p('/booking'))).json().free.map((s: { id: string }) => s.id);
      expect(widened).toEqual(expect.arrayContaining([far, tooSoon]));
      await t.ctx.db.updateTable('clinics').set({ booking_max_days_ahead: 60, booking_min_hours_ahead: 2 }).where('id', '=', clinicId).execute();
      const booked = await patient.post(p('/appointments'), { slotId: later });
      expect(booked.statusCode).toBe(201);
      const bookedSoon = await patient.post(p('/appointments'), { slotId: soon });
      const mine = (await patient.get(p('/booking'))).json();
      expect(mine.appointments.map((a: { slotId: string }) => a.slotId)).toEqual([soon, later]);
      expect(mine.free.map((s: { id: string }) => s.id)).not.toContain(later);
      expect((await secretary.get(c('/slots'))).json().slots.find((s: { id: string }) => s.id === later).bookedBy).toContain(setup.patient.family_name);
      expect((await patient.delete(p(`/appointments/${booked.json().id}`))).statusCode).toBe(200);
      const late = await patient.delete(p(`/appointments/${bookedSoon.json().id}`));
      expect(late.statusCode).toBe(409);
      expect(late.json().error.code).toBe('too_late_to_cancel');
    });

    it('books a time once when many patients try at the same moment', async () => {
      await setRights(['booking']);
      const slot = await publish(96);
      const others: PatientClient[] = [];
      for (let i = 0; i < 4; i++) {
        const o = await activatedPatient(t);
        // Move the other patient (record and membership) to this clinic.
        await t.ctx.db.updateTable('patients').set({ clinic_id: clinicId }).where('id', '=', o.patient.id).execute();
        await t.ctx.db.updateTable('portal_memberships').set({ clinic_id: clinicId }).where('patient_id', '=', o.patient.id).execute();
        others.push(await patientLogin(t, o.patient.cpr, o.email));
      }
      const results = await Promise.all([patient, ...others].map((client) => client.post(p('/appointments'), { slotId: slot })));
      expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409, 409, 409, 409]);
      const live = await t.ctx.db.selectFrom('appointments').select('id').where('slot_id', '=', slot).where('cancelled_at', 'is', null).execute();
      expect(live).toHaveLength(1);
    });
  });

  describe('e-receptfornyelse', () => {
    it('renews only items marked renewable, never habit-forming ones, and shows the clinic’s answer', async () => {
      await setRights(['renewal']);
      const meds = c(`/patients/${setup.patient.id}/medications`);
      const habit = await secretary.post(meds, { name: 'Stesolid', dosage: '5 mg', habitForming: true, renewableOnline: true });
      expect(habit.statusCode).toBe(400);
      expect(habit.json().error.field).toBe('renewableOnline');
      const renewable = (await secretary.post(meds, { name: 'Amlodipin', dosage: '5 mg dagligt', habitForming: false, renewableOnline: true })).json().id;
      const notRenewable = (await secretary.post(meds, { name: 'Prednisolon', dosage: 'Efter aftale', habitForming: false, renewableOnline: false })).json().id;
      expect((await patient.post(p(`/medications/${notRenewable}/renewals`), {})).json().error.code).toBe('not_renewable_online');
      expect((await patient.post(p(`/medications/${renewable}/renewals`), {})).statusCode).toBe(201);
      expect((await patient.post(p(`/medications/${renewable}/renewals`), {})).json().error.code).toBe('renewal_pending');
      const request = (await secretary.get(c('/renewals'))).json().renewals.find((r: { medication: string }) => r.medication === 'Amlodipin');
      expect((await secretary.post(c(`/renewals/${request.id}/approve`), { note: 'Recepten er sendt til apoteket.' })).statusCode).toBe(200);
      const list = (await patient.get(p('/medications'))).json().medications.find((m: { id: string }) => m.id === renewable);
      expect(list).toMatchObject({ renewalStatus: 'approved', renewalNote: 'Recepten er sendt til apoteket.' });
    });
  });

  describe('the rights matrix', () => {
    it('refuses every create, answer, book, cancel and request without its right, on the very next request, and keeps history readable', async () => {
      await setRights(['econsultation', 'booking', 'renewal']);
      const thread = (await patient.post(p('/econsultations'), { subject: 'Før', body: 'Skrevet med ret' })).json().id;
      const slot = (
        await secretary.post(c('/slots'), {
          practitioner: 'L',
          startsAt: new Date(t.clock.now().getTime() + hours(100)).toISOString(),
          durationMinutes: 10,
          kind: 'K',
        })
      ).json().id;
      const appointment = (await patient.post(p('/appointments'), { slotId: slot })).json().id;
      const med = (
        await secretary.post(c(`/patients/${setup.patient.id}/medications`), {
          name: 'Metformin',
          dosage: '500 mg',
          habitForming: false,
          renewableOnline: true,
        })
      ).json().id;
      const slot2 = (
        await secretary.post(c('/slots'), {
          practitioner: 'L',
          startsAt: new Date(t.clock.now().getTime() + hours(120)).toISOString(),
          durationMinutes: 10,
          kind: 'K',
        })
      ).json().id;

      await setRights([]);
      const refused = [
        await patient.post(p('/econsultations'), { subject: 'Efter', body: 'Uden ret' }),
        await patient.post(p(`/econsultations/${thread}/messages`), { body: 'Uden ret' }),
        await patient.post(p('/appointments'), { slotId: slot2 }),
        await patient.delete(p(`/appointments/${appointment}`)),
        await patient.post(p(`/medications/${med}/renewals`), {}),
      ];
      for (const r of refused) {
        expect(r.statusCode).toBe(403);
        expect(r.json().error.code).toBe('right_missing');
      }
      expect(refused[0]!.json().error.message.da).toContain('Du kan stadig se din historik');
      const threads = await patient.get(p('/econsultations'));
      expect(threads.json()).toMatchObject({ canWrite: false });
      expect(threads.json().threads.length).toBeGreaterThan(0);
      expect((await patient.get(p(`/econsultations/${thread}`))).statusCode).toBe(200);
      const booking = (await patient.get(p('/booking'))).json();
      expect(booking).toMatchObject({ canBook: false, free: [] });
      expect(booking.appointments.some((a: { slotId: string }) => a.slotId === slot)).toBe(true);
      expect((await patient.get(p('/medications'))).json().canRequest).toBe(false);

      await setRights(['econsultation', 'booking', 'renewal']);
      expect((await patient.post(p(`/econsultations/${thread}/messages`), { body: 'Med ret igen' })).statusCode).toBe(201);
      expect((await patient.post(p('/appointments'), { slotId: slot2 })).statusCode).toBe(201);
      expect((await patient.delete(p(`/appointments/${appointment}`))).statusCode).toBe(200);
      expect((await patient.post(p(`/medications/${med}/renewals`), {})).statusCode).toBe(201);
    });

    it('hides the clinic from the patient when the membership is deleted; the clinic keeps its records', async () => {
      const other = await activatedPatient(t);
      const client = await patientLogin(t, other.patient.cpr, other.email);
      const thread = (await client.post(`/api/patient/clinics/${other.clinic.id}/econsultations`, { subject: 'S', body: 'B' })).json().id;
      await other.secretary.delete(other.portalUrl);
      expect((await client.get(`/api/patient/clinics/${other.clinic.id}/econsultations`)).statusCode).toBe(404);
      expect((await client.get(`/api/patient/clinics/${other.clinic.id}/econsultations/${thread}`)).statusCode).toBe(404);
      expect((await client.get('/api/patient/me')).json().clinics).toEqual([]);
      expect((await other.secretary.get(`/api/clinics/${other.clinic.id}/econsultations/${thread}`)).statusCode).toBe(200);
    });
  });
});
