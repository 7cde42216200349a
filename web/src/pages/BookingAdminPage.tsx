import { useCallback, useEffect, useState, type SubmitEvent } from 'react';
import { api } from '../api.ts';
import { useActingTexts } from '../texts-acting.ts';
import { ErrorMessage, PageTitle } from '../components.tsx';
import { formatDateTime } from '../format.ts';
import { useI18n } from '../i18n.tsx';
import type { ApiResponse } from '../api-schema.ts';

type Slot = ApiResponse<'/api/clinics/{clinicId}/slots'>['slots'][number];

/** The clinic publishes bookable times and sees who booked them. */
export function BookingAdminPage({ clinicId }: { clinicId: string }) {
  const { t, lang } = useI18n();
  const x = useActingTexts();
  const [slots, setSlots] = useState<Slot[]>([]);
  const [form, setForm] = useState({ practitioner: '', startsAt: '', durationMinutes: 15, kind: 'Konsultation' });
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(
    () =>
      api<{ slots: Slot[] }>('GET', `/api/clinics/${clinicId}/slots`)
        .then((r) => setSlots(r.slots))
        .catch(setError),
    [clinicId],
  );
  useEffect(() => void load(), [load]);
  const publish = async (event: SubmitEvent) => {
    event.preventDefault();
    setError(null);
    try {
      await api('POST', `/api/clinics/${clinicId}/slots`, { ...form, startsAt: new Date(form.startsAt).toISOString() });
      void load();
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <>
      <PageTitle>{t.bookingAdmin}</PageTitle>
      <form onSubmit={(e) => void publish(e)} className="narrow">
        <h2>{t.publishSlot}</h2>
        <label htmlFor="slot-practitioner">{t.practitioner}</label>
        <input id="slot-practitioner" required value={form.practitioner} onChange={(e) => setForm({ ...form, practitioner: e.target.value })} />
        <label htmlFor="slot-start">{t.startsAt}</label>
        <input id="slot-start" type="datetime-local" required value={form.startsAt} onChange={(e) => setForm({ ...form, startsAt: e.target.value })} />
        <label htmlFor="slot-duration">{t.duration}</label>
        <input
          id="slot-duration"
          type="number"
          min={5}
          max={240}
          value={form.durationMinutes}
          onChange={(e) => setForm({ ...form, durationMinutes: Number(e.target.value) })}
        />
        <label htmlFor="slot-kind">{t.kind}</label>
        <input id="slot-kind" required value={form.kind} onChange={(e) => setForm({ ...form, kind: e.target.value })} />
        <ErrorMessage error={error} />
        <button type="submit">{t.publishSlot}</button>
      </form>
      <table>
        <caption className="visually-hidden">{t.bookingAdmin}</caption>
        <thead>
          <tr>
            <th scope="col">{t.startsAt}</th>
            <th scope="col">{t.practitioner}</th>
            <th scope="col">{t.kind}</th>
            <th scope="col">{t.bookedBy}</th>
          </tr>
        </thead>
        <tbody>
          {slots.map((s) => (
            <tr key={s.id}>
              <td>{formatDateTime(s.startsAt, lang)}</td>
              <td>{s.practitioner}</td>
              <td>
                {s.kind} ({s.durationMinutes} min)
              </td>
              <td>{s.bookedBy ? s.actedBy ? x.bookedFor(s.bookedBy, s.actedBy) : s.bookedBy : <span className="muted">{t.freeSlot}</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
