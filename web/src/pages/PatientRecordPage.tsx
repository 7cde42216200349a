import { useEffect, useState } from 'react';
import { api } from '../api.ts';
import { ErrorMessage, PageTitle } from '../components.tsx';
import { formatDate } from '../format.ts';
import { useI18n } from '../i18n.tsx';
import { useTexts } from '../texts-everyday.ts';
import { Link } from '../router.tsx';
import { MedicationsSection } from './MedicationsSection.tsx';
import { PortalForm } from './PortalForm.tsx';
import { ParentAccessSection } from './ParentAccessSection.tsx';
import { FuldmagtStaffSection } from './FuldmagtStaffSection.tsx';
import type { ApiResponse } from '../api-schema.ts';

type PatientRecord = ApiResponse<'/api/clinics/{clinicId}/patients/{patientId}'>;

export function PatientRecordPage({ clinicId, patientId }: { clinicId: string; patientId: string }) {
  const { t } = useI18n();
  const [patient, setPatient] = useState<PatientRecord | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [portalOpen, setPortalOpen] = useState(false);
  const [portalStatus, setPortalStatus] = useState<string | null>(null);
  const x = useTexts();

  // Alt+P opens the Patientportal form from anywhere on the record; inside it, Alt+P is Opret.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.altKey && event.code === 'KeyP' && !portalOpen) {
        event.preventDefault();
        setPortalOpen(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [portalOpen]);

  // The portal state as a badge in the header, before the form is opened.
  useEffect(() => {
    api<ApiResponse<'/api/clinics/{clinicId}/patients/{patientId}/portal'>>('GET', `/api/clinics/${clinicId}/patients/${patientId}/portal`).then(
      (s) => setPortalStatus(s.status),
      () => undefined,
    );
  }, [clinicId, patientId]);

  useEffect(() => {
    let current = true;
    api<PatientRecord>('GET', `/api/clinics/${clinicId}/patients/${patientId}`)
      .then((p) => current && setPatient(p))
      .catch((e: unknown) => current && setError(e));
    return () => {
      current = false;
    };
  }, [clinicId, patientId]);

  const value = (v: string | null) => v || <span className="muted">{t.notRecorded}</span>;
  const address = patient && [patient.address, [patient.postalCode, patient.city].filter(Boolean).join(' ')].filter(Boolean).join(', ');

  return (
    <>
      <p>
        <Link href="/patients">← {t.backToPatients}</Link>
      </p>
      <ErrorMessage error={error} />
      {!patient && !error && <p role="status">{t.loading}</p>}
      {patient && (
        <>
          <PageTitle>{`${patient.givenName} ${patient.familyName}`}</PageTitle>
          <section aria-labelledby="patient-header" className="card">
            <h2 id="patient-header">
              {t.patientHeader}{' '}
              {portalStatus && (
                <span className={`badge badge-${portalStatus}`} data-testid="portal-badge">
                  {x.portalBadge[portalStatus]}
                </span>
              )}
            </h2>
            <dl className="facts">
              <dt>{t.name}</dt>
              <dd>
                {patient.givenName} {patient.familyName}
              </dd>
              <dt>{t.cpr}</dt>
              <dd className="mono">{patient.cpr}</dd>
              <dt>{t.birthDate}</dt>
              <dd>{value(patient.birthDate && formatDate(patient.birthDate))}</dd>
              <dt>{t.sex}</dt>
              <dd>{patient.sex ? t[patient.sex] : value(null)}</dd>
              <dt>{t.address}</dt>
              <dd>{value(address || null)}</dd>
              <dt>{t.phone}</dt>
              <dd>{value(patient.phone)}</dd>
              <dt>{t.email}</dt>
              <dd>
                <button type="button" className="link-button" aria-expanded={portalOpen} aria-controls="portal-form" onClick={() => setPortalOpen(!portalOpen)}>
                  {patient.email || t.portalForm}
                  <span className="visually-hidden"> – {t.openPortalForm}</span>
                </button>
              </dd>
            </dl>
          </section>
          <div id="portal-form">{portalOpen && <PortalForm clinicId={clinicId} patientId={patientId} onState={setPortalStatus} />}</div>
          {under15(patient.birthDate) && <ParentAccessSection clinicId={clinicId} patientId={patientId} />}
          {!under15(patient.birthDate) && <FuldmagtStaffSection clinicId={clinicId} patientId={patientId} />}
          <MedicationsSection clinicId={clinicId} patientId={patientId} />
        </>
      )}
    </>
  );
}

/** Forældreadgang is offered for children under 15 (the server checks it again). */
function under15(birthDate: string | null | undefined): boolean {
  if (!birthDate) return false;
  const fifteenth = new Date(birthDate);
  fifteenth.setFullYear(fifteenth.getFullYear() + 15);
  return fifteenth > new Date();
}
