import { useCallback, useEffect, useRef, useState, type SubmitEvent } from 'react';
import { api } from '../api.ts';
import { ErrorMessage, PageTitle } from '../components.tsx';
import { filesToBase64 } from '../files.ts';
import { formatDateTime } from '../format.ts';
import { ThreadView, type ThreadData } from '../functions/ThreadView.tsx';
import { useI18n } from '../i18n.tsx';
import { Link } from '../router.tsx';

interface Threads {
  canWrite: boolean;
  maxLength: number;
  custodyNotice: boolean;
  threads: { id: string; subject: string; status: string; lastMessageAt: string; unread: number }[];
}
interface Slot {
  id: string;
  practitioner: string;
  startsAt: string;
  durationMinutes: number;
  kind: string;
}
interface Booking {
  canBook: boolean;
  free: Slot[];
  appointments: (Slot & { slotId: string; cancelled: boolean })[];
}
interface Medications {
  canRequest: boolean;
  medications: { id: string; name: string; dosage: string; renewableOnline: boolean; renewalStatus: string | null; renewalNote: string | null }[];
}

/** One clinic in the portal: the three functions. Without a right, history stays readable. */
export function PatientClinicPage({ clinicId, clinicName }: { clinicId: string; clinicName: string }) {
  const { t, lang } = useI18n();
  const base = `/api/patient/clinics/${clinicId}`;
  const [threads, setThreads] = useState<Threads | null>(null);
  const [open, setOpen] = useState<ThreadData | null>(null);
  const [booking, setBooking] = useState<Booking | null>(null);
  const [meds, setMeds] = useState<Medications | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const files = useRef<HTMLInputElement>(null);

  const load = useCallback(async () => {
    try {
      const [th, bo, me] = await Promise.all([
        api<Threads>('GET', `${base}/econsultations`),
        api<Booking>('GET', `${base}/booking`),
        api<Medications>('GET', `${base}/medications`),
      ]);
      setThreads(th);
      setBooking(bo);
      setMeds(me);
    } catch (caught) {
      setError(caught);
    }
  }, [base]);
  useEffect(() => void load(), [load]);

  const act = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
      await load();
    } catch (caught) {
      setError(caught);
    }
  };
  const openThread = (id: string) => act(async () => setOpen(await api<ThreadData>('GET', `${base}/econsultations/${id}`)));
  const startThread = (event: SubmitEvent) => {
    event.preventDefault();
    void act(async () => {
      const attachments = await filesToBase64(files.current?.files ?? null);
      const { id } = await api<{ id: string }>('POST', `${base}/econsultations`, { subject, body, ...(attachments.length ? { attachments } : {}) });
      setSubject('');
      setBody('');
      setOpen(await api<ThreadData>('GET', `${base}/econsultations/${id}`));
    });
  };

  return (
    <>
      <p>
        <Link href="/portal">← {t.backToClinics}</Link>
      </p>
      <PageTitle>{clinicName}</PageTitle>
      <ErrorMessage error={error} />

      <section aria-labelledby="econsultation-title" className="clinic-card">
        <h2 id="econsultation-title">{t.econsultation}</h2>
        {threads?.custodyNotice && <p className="banner banner-yellow">{t.custodyNotice}</p>}
        {threads && !threads.canWrite && <p className="muted">{t.unavailable}</p>}
        {threads?.threads.length === 0 && <p>{t.noThreads}</p>}
        <ul className="functions">
          {threads?.threads.map((th) => (
            <li key={th.id}>
              <button type="button" className="link-button" onClick={() => void openThread(th.id)}>
                {th.subject}
              </button>{' '}
              <span className="muted">{formatDateTime(th.lastMessageAt, lang)}</span>
              {th.unread > 0 && <span className="count">{t.unread(th.unread)}</span>}
            </li>
          ))}
        </ul>
        {open && (
          <ThreadView
            thread={open}
            side="patient"
            attachmentBase={`${base}/attachments`}
            replyUrl={threads?.canWrite ? `${base}/econsultations/${open.id}/messages` : null}
            maxLength={threads?.maxLength}
            onReplied={() => void openThread(open.id)}
          />
        )}
        {threads?.canWrite && (
          <form onSubmit={startThread}>
            <h3>{t.newEconsultation}</h3>
            <label htmlFor="new-subject">{t.subject}</label>
            <input id="new-subject" required maxLength={120} value={subject} onChange={(e) => setSubject(e.target.value)} />
            <label htmlFor="new-body">{t.message}</label>
            <textarea id="new-body" required maxLength={threads.maxLength} value={body} onChange={(e) => setBody(e.target.value)} />
            <p className="muted">{t.charsLeft(threads.maxLength - body.length)}</p>
            <label htmlFor="new-files">{t.attachFiles}</label>
            <input id="new-files" ref={files} type="file" multiple accept="image/png,image/jpeg,application/pdf" />
            <button type="submit">{t.send}</button>
          </form>
        )}
      </section>

      <section aria-labelledby="booking-title" className="clinic-card">
        <h2 id="booking-title">{t.booking}</h2>
        {booking && !booking.canBook && <p className="muted">{t.unavailable}</p>}
        <h3>{t.yourTimes}</h3>
        {booking?.appointments.length === 0 && <p>{t.noTimes}</p>}
        <ul className="functions">
          {booking?.appointments.map((a) => (
            <li key={a.id}>
              {formatDateTime(a.startsAt, lang)} · {a.practitioner} · {a.kind}
              {a.cancelled ? (
                <span className="muted"> ({t.cancelled})</span>
              ) : (
                booking.canBook && (
                  <>
                    {' '}
                    <button type="button" onClick={() => void act(() => api('DELETE', `${base}/appointments/${a.id}`))}>
                      {t.cancelBooking}
                    </button>
                  </>
                )
              )}
            </li>
          ))}
        </ul>
        {booking?.canBook && (
          <>
            <h3>{t.freeTimes}</h3>
            {booking.free.length === 0 && <p>{t.noFreeTimes}</p>}
            <ul className="functions">
              {booking.free.map((s) => (
                <li key={s.id}>
                  {formatDateTime(s.startsAt, lang)} · {s.practitioner} · {s.kind} ({s.durationMinutes} min){' '}
                  <button type="button" onClick={() => void act(() => api('POST', `${base}/appointments`, { slotId: s.id }))}>
                    {t.book}
                  </button>
                </li>
              ))}
            </ul>
          </>
        )}
      </section>

      <section aria-labelledby="renewal-title" className="clinic-card">
        <h2 id="renewal-title">{t.renewal}</h2>
        {meds && !meds.canRequest && <p className="muted">{t.unavailable}</p>}
        {meds?.medications.length === 0 && <p>{t.noMedications}</p>}
        <ul className="functions">
          {meds?.medications.map((m) => (
            <li key={m.id}>
              <strong>{m.name}</strong> {m.dosage}
              {m.renewalStatus && (
                <span>
                  {' '}
                  · {t.renewalStates[m.renewalStatus]}
                  {m.renewalNote && `: ${m.renewalNote}`}
                </span>
              )}
              {!m.renewableOnline && <span className="muted"> · {t.notRenewableOnline}</span>}
              {m.renewableOnline && meds.canRequest && m.renewalStatus !== 'requested' && (
                <>
                  {' '}
                  <button type="button" onClick={() => void act(() => api('POST', `${base}/medications/${m.id}/renewals`, {}))}>
                    {t.renew} <span className="visually-hidden">{m.name}</span>
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
