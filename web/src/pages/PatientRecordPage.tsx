import { useEffect, useState } from 'react';
import { api } from '../api.ts';
import { ErrorMessage, PageTitle } from '../components.tsx';
import { useI18n } from '../i18n.tsx';
import { Link } from '../router.tsx';

interface PatientRecord {
  id: string;
  givenName: string;
  familyName: string;
  cpr: string;
  birthDate: string | null;
  sex: 'male' | 'female' | null;
  address: string | null;
  postalCode: string | null;
  city: string | null;
  phone: string | null;
  email: string | null;
}

export function PatientRecordPage({ clinicId, patientId }: { clinicId: string; patientId: string }) {
  const { t } = useI18n();
  const [patient, setPatient] = useState<PatientRecord | null>(null);
  const [error, setError] = useState<unknown>(null);

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
            <h2 id="patient-header">{t.patientHeader}</h2>
            <dl className="facts">
              <dt>{t.name}</dt>
              <dd>
                {patient.givenName} {patient.familyName}
              </dd>
              <dt>{t.cpr}</dt>
              <dd className="mono">{patient.cpr}</dd>
              <dt>{t.birthDate}</dt>
              <dd>{value(patient.birthDate)}</dd>
              <dt>{t.sex}</dt>
              <dd>{patient.sex ? t[patient.sex] : value(null)}</dd>
              <dt>{t.address}</dt>
              <dd>{value(address || null)}</dd>
              <dt>{t.phone}</dt>
              <dd>{value(patient.phone)}</dd>
              <dt>{t.email}</dt>
              <dd>{value(patient.email)}</dd>
            </dl>
          </section>
        </>
      )}
    </>
  );
}
