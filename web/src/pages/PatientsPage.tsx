import { useEffect, useState, type SubmitEvent } from 'react';
import { api } from '../api.ts';
import { ErrorMessage, PageTitle } from '../components.tsx';
import { formatDate } from '../format.ts';
import { useI18n } from '../i18n.tsx';
import { Link, navigate, useHistoryState } from '../router.tsx';
import type { ApiResponse } from '../api-schema.ts';

type PatientListItem = ApiResponse<'/api/clinics/{clinicId}/patients'>['patients'][number];

export function PatientsPage({ clinicId }: { clinicId: string }) {
  const { t } = useI18n();
  // The search term is kept in the history entry's state, not in the URL: it may be a CPR number,
  // and URLs end up in browser history, logs and screenshots. Back and forward still restore it.
  const query = useHistoryState<{ q?: string } | null>()?.q ?? '';
  const [draft, setDraft] = useState(query);
  const [patients, setPatients] = useState<PatientListItem[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let current = true;
    setPatients(null);
    setError(null);
    const request = query
      ? api<{ patients: PatientListItem[] }>('POST', `/api/clinics/${clinicId}/patients/search`, { q: query })
      : api<{ patients: PatientListItem[] }>('GET', `/api/clinics/${clinicId}/patients`);
    request.then((r) => current && setPatients(r.patients)).catch((e: unknown) => current && setError(e));
    return () => {
      current = false;
    };
  }, [clinicId, query]);

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    navigate('/patients', { state: draft ? { q: draft } : null });
  };

  return (
    <>
      <PageTitle>{t.patients}</PageTitle>
      <form role="search" onSubmit={submit} className="search">
        <label htmlFor="patient-search">{t.searchPatients}</label>
        <div className="row">
          <input id="patient-search" type="search" value={draft} onChange={(e) => setDraft(e.target.value)} autoComplete="off" />
          <button type="submit">{t.search}</button>
        </div>
      </form>
      <ErrorMessage error={error} />
      <p role="status" className="muted">
        {patients === null ? t.loading : patients.length === 0 ? t.noPatients : t.patientsFound(patients.length)}
      </p>
      {patients && patients.length > 0 && (
        <table>
          <caption className="visually-hidden">{t.patients}</caption>
          <thead>
            <tr>
              <th scope="col">{t.name}</th>
              <th scope="col">{t.cpr}</th>
              <th scope="col">{t.birthDate}</th>
            </tr>
          </thead>
          <tbody>
            {patients.map((p) => (
              <tr key={p.id}>
                <td>
                  <Link href={`/patients/${p.id}`}>{p.name}</Link>
                </td>
                <td className="mono">{p.maskedCpr}</td>
                <td>{formatDate(p.birthDate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
