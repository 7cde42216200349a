import { PageTitle } from '../components.tsx';
import { useI18n } from '../i18n.tsx';
import type { PatientOverview } from './PatientApp.tsx';

const FUNCTIONS = ['econsultation', 'booking', 'renewal'] as const;

/** The patient's clinics and, per clinic, which functions are open now. */
export function PatientHomePage({ overview }: { overview: PatientOverview }) {
  const { t } = useI18n();
  return (
    <>
      <PageTitle>{overview.name ?? t.portalHome}</PageTitle>
      <h2>{t.yourClinics}</h2>
      {overview.clinics.length === 0 && <p>{t.noClinics}</p>}
      {overview.clinics.map((clinic) => (
        <section key={clinic.id} className="clinic-card" aria-labelledby={`clinic-${clinic.id}`}>
          <h3 id={`clinic-${clinic.id}`}>{clinic.name}</h3>
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
    </>
  );
}
