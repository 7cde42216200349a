import { useEffect, useState } from 'react';
import { api } from '../api.ts';
import { PageTitle } from '../components.tsx';
import { formatDateTime } from '../format.ts';
import { useI18n } from '../i18n.tsx';
import { Link } from '../router.tsx';
import type { PatientOverview } from './PatientApp.tsx';

const FUNCTIONS = ['econsultation', 'booking', 'renewal'] as const;

/** The patient's clinics and, per clinic, which functions are open now. */
interface AccessRequest {
  clinicName: string;
  receivedAt: string;
  status: 'open' | 'approved' | 'rejected';
  rejectionReason: string | null;
}

export function PatientHomePage({ overview }: { overview: PatientOverview }) {
  const { t, lang } = useI18n();
  const [requests, setRequests] = useState<AccessRequest[]>([]);
  useEffect(() => {
    api<{ requests: AccessRequest[] }>('GET', '/api/patient/requests')
      .then((r) => setRequests(r.requests))
      .catch(() => setRequests([]));
  }, []);
  return (
    <>
      <PageTitle>{overview.name ?? t.portalHome}</PageTitle>
      <h2>{t.yourClinics}</h2>
      {overview.clinics.length === 0 && <p>{t.noClinics}</p>}
      {overview.clinics.map((clinic) => (
        <section key={clinic.id} className="clinic-card" aria-labelledby={`clinic-${clinic.id}`}>
          <h3 id={`clinic-${clinic.id}`}>{clinic.name}</h3>
          <p>
            <Link href={`/portal/clinics/${clinic.id}`}>
              {t.open} <span className="visually-hidden">{clinic.name}</span>
            </Link>
          </p>
          <ul className="functions">
            {FUNCTIONS.map((f) => {
              const open = clinic.rights.includes(f);
              return (
                <li key={f} data-function={f} data-open={open}>
                  <strong>{t[f]}</strong>: {open ? t.available : <span className="muted">{t.unavailable}</span>}
                </li>
              );
            })}
          </ul>
        </section>
      ))}
      {requests.length > 0 && (
        <section aria-labelledby="requests-title">
          <h2 id="requests-title">{t.yourRequests}</h2>
          <ul className="functions">
            {requests.map((r, i) => (
              <li key={i}>
                <strong>{r.clinicName}</strong> ({formatDateTime(r.receivedAt, lang)}): {t.requestStatus[r.status]}
                {r.rejectionReason && <> – {r.rejectionReason}</>}
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
