import { useEffect, useState } from 'react';
import { api } from '../api.ts';
import { PageTitle } from '../components.tsx';
import { formatWhen } from '../format.ts';
import { useI18n } from '../i18n.tsx';
import { Link } from '../router.tsx';
import { useTexts } from '../texts-everyday.ts';
import { BookingPage, type Booking } from './BookingPage.tsx';
import { EconsultationPage, type Threads } from './EconsultationPage.tsx';
import { RenewalPage, type Medications } from './RenewalPage.tsx';

export type ClinicFunction = 'econsultation' | 'booking' | 'renewal';
export const FUNCTIONS: ClinicFunction[] = ['econsultation', 'booking', 'renewal'];

export interface ClinicOfPatient {
  id: string;
  name: string;
  rights: ClinicFunction[];
  history: ClinicFunction[];
}

/** A function is shown when it is granted or has history to read; the rest get one quiet line. */
export const visibleFunctions = (clinic: ClinicOfPatient) => FUNCTIONS.filter((f) => clinic.rights.includes(f) || clinic.history.includes(f));

/**
 * One clinic in the portal: an overview and one page per function (deep-linkable,
 * /portal/clinics/:id/booking), with a tab bar to move between them.
 */
export function PatientClinicPage({ clinic, fn }: { clinic: ClinicOfPatient; fn: ClinicFunction | null }) {
  const { t } = useI18n();
  const x = useTexts();
  const base = `/portal/clinics/${clinic.id}`;
  const shown = visibleFunctions(clinic);
  const tabs: { href: string; label: string; current: boolean }[] = [
    { href: base, label: x.clinicHome, current: fn === null },
    ...shown.map((f) => ({ href: `${base}/${f}`, label: x.fnTitle[f], current: fn === f })),
  ];
  if (fn !== null && !shown.includes(fn)) tabs.push({ href: `${base}/${fn}`, label: x.fnTitle[fn], current: true });
  const api = `/api/patient/clinics/${clinic.id}`;
  return (
    <>
      <p className="back">
        <Link href="/portal">← {t.backToClinics}</Link>
      </p>
      <PageTitle>{fn ? `${x.fnTitle[fn]} · ${clinic.name}` : clinic.name}</PageTitle>
      <nav aria-label={x.tabs} className="tabs">
        {tabs.map((tab) => (
          <Link key={tab.href} href={tab.href} aria-current={tab.current ? 'page' : undefined}>
            {tab.label}
          </Link>
        ))}
      </nav>
      {fn === null && <ClinicHome clinic={clinic} apiBase={api} />}
      {fn === 'booking' && <BookingPage apiBase={api} canBook={clinic.rights.includes('booking')} />}
      {fn === 'econsultation' && <EconsultationPage apiBase={api} pageHref={`${base}/econsultation`} />}
      {fn === 'renewal' && <RenewalPage apiBase={api} />}
    </>
  );
}

function ClinicHome({ clinic, apiBase }: { clinic: ClinicOfPatient; apiBase: string }) {
  const { lang } = useI18n();
  const x = useTexts();
  const shown = visibleFunctions(clinic);
  const hidden = FUNCTIONS.filter((f) => !shown.includes(f));
  const [threads, setThreads] = useState<Threads | null>(null);
  const [booking, setBooking] = useState<Booking | null>(null);
  const [meds, setMeds] = useState<Medications | null>(null);
  useEffect(() => {
    if (shown.includes('econsultation')) void api<Threads>('GET', `${apiBase}/econsultations`).then(setThreads, () => undefined);
    if (shown.includes('booking')) void api<Booking>('GET', `${apiBase}/booking`).then(setBooking, () => undefined);
    if (shown.includes('renewal')) void api<Medications>('GET', `${apiBase}/medications`).then(setMeds, () => undefined);
    // Loaded once per clinic page.
  }, [apiBase]);

  const unread = threads?.threads.reduce((sum, th) => sum + th.unread, 0) ?? 0;
  const next = booking?.appointments.filter((a) => !a.cancelled).sort((a, b) => a.startsAt.localeCompare(b.startsAt))[0];
  const requested = meds?.medications.filter((m) => m.renewalStatus === 'requested').length ?? 0;
  const summary: Record<ClinicFunction, string | null> = {
    econsultation: unread > 0 ? x.unreadCount(unread) : null,
    booking: next ? `${x.yourTimes}: ${formatWhen(next.startsAt, lang)}` : null,
    renewal: requested > 0 ? `${x.medicationState.requested}: ${requested}` : null,
  };
  return (
    <>
      <ul className="tiles">
        {shown.map((f) => (
          <li key={f} data-function={f} data-open={clinic.rights.includes(f)}>
            <Link href={`/portal/clinics/${clinic.id}/${f}`} className="tile">
              <strong>{x.fnTitle[f]}</strong>
              <span>{clinic.rights.includes(f) ? x.fnLead[f] : x.readOnly}</span>
              {summary[f] && <span className="count-text">{summary[f]}</span>}
            </Link>
          </li>
        ))}
      </ul>
      {hidden.length > 0 && <p className="muted quiet">{x.notOffered(hidden.map((f) => x.fnTitle[f].toLowerCase()).join(', '))}</p>}
    </>
  );
}
