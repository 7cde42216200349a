import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api } from '../api.ts';
import { ErrorMessage } from '../components.tsx';
import { ActionStatus, useAction } from '../forms.tsx';
import { addDays, dayKey, formatDay, formatDayShort, formatTime, formatWhen, mondayOf } from '../format.ts';
import { useI18n } from '../i18n.tsx';
import { useTexts } from '../texts-everyday.ts';
import { appointmentIcs } from './calendar.ts';

export interface Slot {
  id: string;
  practitioner: string;
  startsAt: string;
  durationMinutes: number;
  kind: string;
}
export interface Booking {
  canBook: boolean;
  free: Slot[];
  appointments: (Slot & { slotId: string; cancelled: boolean })[];
}

/** ISO week number, for the week heading. */
function isoWeek(key: string): number {
  const d = new Date(`${key}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 3 - ((d.getUTCDay() + 6) % 7));
  const firstThursday = new Date(Date.UTC(d.getUTCFullYear(), 0, 4));
  return 1 + Math.round((d.getTime() - firstThursday.getTime()) / 86_400_000 / 7 - 0.5 + ((firstThursday.getUTCDay() + 6) % 7) / 7);
}

/**
 * e-tidsbestilling: "Dine tider" first, then a day strip (a week at a time) and the free times of
 * the chosen day; a time is booked only after a confirmation step, then offered as an .ics file.
 */
export function BookingPage({ apiBase, canBook }: { apiBase: string; canBook: boolean }) {
  const { t, lang } = useI18n();
  const x = useTexts();
  const [booking, setBooking] = useState<Booking | null>(null);
  // A refusal (a right taken away, a fuldmagt revoked) is shown, not left as "Henter…".
  const [loadError, setLoadError] = useState<unknown>(null);
  const [day, setDay] = useState<string | null>(null);
  const [chosen, setChosen] = useState<Slot | null>(null);
  const [calendar, setCalendar] = useState<{ href: string; name: string } | null>(null);
  const bookAction = useAction();
  const cancelAction = useAction();
  const [cancelling, setCancelling] = useState<string | null>(null);
  const confirmRef = useRef<HTMLParagraphElement>(null);
  const stripRef = useRef<HTMLDivElement>(null);

  const load = useCallback(async () => {
    const b = await api<Booking>('GET', `${apiBase}/booking`);
    setBooking(b);
    return b;
  }, [apiBase]);
  useEffect(() => {
    void load().then((b) => setDay((current) => current ?? (b.free[0] ? dayKey(b.free[0].startsAt) : dayKey(new Date()))), setLoadError);
  }, [load]);
  useEffect(
    () => () => {
      if (calendar) URL.revokeObjectURL(calendar.href);
    },
    [calendar],
  );

  const byDay = useMemo(() => {
    const map = new Map<string, Slot[]>();
    for (const s of booking?.free ?? []) {
      const key = dayKey(s.startsAt);
      map.set(key, [...(map.get(key) ?? []), s]);
    }
    return map;
  }, [booking]);

  if (!booking || !day) return loadError ? <ErrorMessage error={loadError} /> : <p role="status">{t.loading}</p>;
  const monday = mondayOf(day);
  const week = Array.from({ length: 7 }, (_, i) => addDays(monday, i));
  const slots = byDay.get(day) ?? [];
  const mine = booking.appointments.slice().sort((a, b) => a.startsAt.localeCompare(b.startsAt));

  const choose = (slot: Slot) => {
    bookAction.reset();
    setCalendar(null);
    setChosen(slot);
    setTimeout(() => confirmRef.current?.focus(), 0);
  };
  const book = async (slot: Slot) => {
    const ok = await bookAction.run(async () => {
      const made = await api<{ id: string }>('POST', `${apiBase}/appointments`, { slotId: slot.id });
      const ics = appointmentIcs({
        id: made.id,
        startsAt: slot.startsAt,
        durationMinutes: slot.durationMinutes,
        summary: `${slot.kind} – ${slot.practitioner}`,
        location: slot.practitioner,
      });
      setCalendar({ href: URL.createObjectURL(new Blob([ics], { type: 'text/calendar' })), name: `tid-${dayKey(slot.startsAt)}.ics` });
      return x.booked(formatWhen(slot.startsAt, lang));
    });
    setChosen(null);
    await load();
    if (!ok) setTimeout(() => stripRef.current?.focus(), 0);
  };
  const cancel = (id: string) => {
    setCancelling(id);
    void cancelAction.run(() => api('DELETE', `${apiBase}/appointments/${id}`).then(load), x.cancelled);
  };

  return (
    <>
      <section aria-labelledby="mine-title" className="card">
        <h2 id="mine-title">{x.yourTimes}</h2>
        {mine.length === 0 && <p>{t.noTimes}</p>}
        <ul className="rows">
          {mine.map((a) => (
            <li key={a.id} className={a.cancelled ? 'muted' : undefined}>
              <span>
                <strong>{formatWhen(a.startsAt, lang)}</strong>
                <br />
                {a.practitioner} · {a.kind}
                {a.cancelled && ` (${t.cancelled})`}
              </span>
              {!a.cancelled && booking.canBook && (
                <button type="button" disabled={cancelAction.busy} onClick={() => cancel(a.id)}>
                  {t.cancelBooking} <span className="visually-hidden">{formatWhen(a.startsAt, lang)}</span>
                </button>
              )}
              {cancelling === a.id && <ActionStatus action={cancelAction} />}
            </li>
          ))}
        </ul>
      </section>

      {!canBook && <p className="muted">{x.readOnly}</p>}
      {booking.canBook && (
        <section aria-labelledby="choose-title" className="card">
          <h2 id="choose-title">{x.chooseTime}</h2>
          <div className="week-nav">
            <button type="button" onClick={() => setDay(addDays(monday, -7))} aria-label={x.prevWeek}>
              ‹
            </button>
            <span aria-live="polite">{x.week(isoWeek(monday))}</span>
            <button type="button" onClick={() => setDay(addDays(monday, 7))} aria-label={x.nextWeek}>
              ›
            </button>
          </div>
          <div className="day-strip" ref={stripRef} tabIndex={-1} role="group" aria-label={x.week(isoWeek(monday))}>
            {week.map((key) => {
              const label = formatDayShort(key, lang);
              const count = byDay.get(key)?.length ?? 0;
              return (
                <button
                  key={key}
                  type="button"
                  aria-pressed={key === day}
                  className={count === 0 ? 'empty' : undefined}
                  onClick={() => {
                    setDay(key);
                    setChosen(null);
                  }}
                >
                  <span className="wd">{label.weekday}</span>
                  <span className="dt">{label.date}</span>
                  <span className="visually-hidden">, {x.freeOnDay(count)}</span>
                  <span className="n" aria-hidden="true">
                    {count > 0 ? count : '–'}
                  </span>
                </button>
              );
            })}
          </div>
          <h3>{formatDay(day, lang)}</h3>
          {slots.length === 0 && <p className="muted">{x.noTimesThisDay}</p>}
          <ul className="slots">
            {slots.map((s) => (
              <li key={s.id}>
                <button type="button" className="slot" aria-pressed={chosen?.id === s.id} onClick={() => choose(s)}>
                  <strong>{formatTime(s.startsAt, lang)}</strong> {s.practitioner} · {s.kind} ({s.durationMinutes} min)
                </button>
              </li>
            ))}
          </ul>
          {chosen && (
            <div className="confirm" role="group" aria-labelledby="confirm-booking">
              <p id="confirm-booking" ref={confirmRef} tabIndex={-1}>
                {x.confirmBooking(formatWhen(chosen.startsAt, lang), chosen.practitioner)}
              </p>
              <div className="buttons">
                <button type="button" className="primary" disabled={bookAction.busy} onClick={() => void book(chosen)}>
                  {x.bookYes}
                </button>
                <button type="button" onClick={() => setChosen(null)}>
                  {x.bookNo}
                </button>
              </div>
            </div>
          )}
          <ActionStatus action={bookAction}>
            {calendar && bookAction.notice && (
              <>
                {' '}
                <a href={calendar.href} download={calendar.name}>
                  {x.addToCalendar}
                </a>
              </>
            )}
          </ActionStatus>
        </section>
      )}
    </>
  );
}
