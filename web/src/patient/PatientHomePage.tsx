import { useEffect, useState } from 'react';
import { api } from '../api.ts';
import { PageTitle } from '../components.tsx';
import { formatDateTime } from '../format.ts';
import { useI18n } from '../i18n.tsx';
import { Link } from '../router.tsx';
import { useActingTexts } from '../texts-acting.ts';
import { useTexts } from '../texts-everyday.ts';
import type { PatientOverview } from './PatientApp.tsx';
import { FUNCTIONS, visibleFunctions } from './PatientClinicPage.tsx';

interface AccessRequest {
  clinicName: string;
  receivedAt: string;
  status: 'open' | 'approved' | 'rejected';
  rejectionReason: string | null;
  forChild: string | null;
}

/** The patient's clinics: the functions granted or with history as links; the rest one quiet line. */
export function PatientHomePage({ overview }: { overview: PatientOverview }) {
  const { t, lang } = useI18n();
  const x = useTexts();
  const acting = useActingTexts();
  const child = overview.acting?.actingFor;
  const [requests, setRequests] = useState<AccessRequest[]>([]);
  useEffect(() => {
    api<{ requests: AccessRequest[] }>('GET', '/api/patient/requests')
      .then((r) => setRequests(r.requests))
      .catch(() => setRequests([]));
  }, []);
  return (
    <>
      <PageTitle>{overview.name ?? t.portalHome}</PageTitle>
      <h2>{child ? acting.clinicsOf(child.name) : t.yourClinics}</h2>
      {overview.clinics.length === 0 && <p>{t.noClinics}</p>}
      {overview.clinics.map((clinic) => {
        const shown = visibleFunctions(clinic);
        const hidden = FUNCTIONS.filter((f) => !shown.includes(f));
        return (
          <section key={clinic.id} className="clinic-card" aria-labelledby={`clinic-${clinic.id}`}>
            <h3 id={`clinic-${clinic.id}`}>
              <Link href={`/portal/clinics/${clinic.id}`}>{clinic.name}</Link>
            </h3>
            <ul className="tiles">
              {shown.map((f) => (
                <li key={f} data-function={f} data-open={clinic.rights.includes(f)}>
                  <Link href={`/portal/clinics/${clinic.id}/${f}`} className="tile">
                    <strong>{x.fnTitle[f]}</strong>
                    <span>{clinic.rights.includes(f) ? x.fnLead[f] : x.readOnly}</span>
                  </Link>
                </li>
              ))}
            </ul>
            {hidden.length > 0 && <p className="muted quiet">{x.notOffered(hidden.map((f) => x.fnTitle[f].toLowerCase()).join(', '))}</p>}
          </section>
        );
      })}
      {requests.length > 0 && (
        <section aria-labelledby="requests-title">
          <h2 id="requests-title">{t.yourRequests}</h2>
          <ul className="functions">
            {requests.map((r, i) => (
              <li key={i}>
                <strong>{r.clinicName}</strong>
                {r.forChild && <> – {acting.parentAccessFor(r.forChild)}</>} ({formatDateTime(r.receivedAt, lang)}): {t.requestStatus[r.status]}
                {r.rejectionReason && <> – {r.rejectionReason}</>}
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
