import { useCallback, useEffect, useState } from 'react';
import { api } from '../api.ts';
import { ErrorMessage, PageTitle } from '../components.tsx';
import { useI18n } from '../i18n.tsx';
import type { ApiResponse } from '../api-schema.ts';
import { StaffSecuritySection } from './StaffSecuritySection.tsx';

type ClinicSummary = ApiResponse<'/api/support/clinics'>['clinics'][number];

type FailedMail = ApiResponse<'/api/support/failed-mails'>['mails'][number];

export function SupportPage() {
  const { t } = useI18n();
  const [clinics, setClinics] = useState<ClinicSummary[] | null>(null);
  const [mails, setMails] = useState<FailedMail[]>([]);
  const [error, setError] = useState<unknown>(null);

  const load = useCallback(() => {
    Promise.all([api<{ clinics: ClinicSummary[] }>('GET', '/api/support/clinics'), api<{ mails: FailedMail[] }>('GET', '/api/support/failed-mails')])
      .then(([c, m]) => {
        setClinics(c.clinics);
        setMails(m.mails);
      })
      .catch(setError);
  }, []);
  useEffect(load, [load]);

  const switchAuto = (clinicId: string, allowed: boolean) =>
    api('PUT', `/api/support/clinics/${clinicId}/auto-approval`, { allowed }).then(load).catch(setError);
  const retry = (id: number) => api('POST', `/api/support/failed-mails/${id}/retry`).then(load).catch(setError);

  return (
    <>
      <PageTitle>{t.clinics}</PageTitle>
      <ErrorMessage error={error} />
      {!clinics && !error && <p role="status">{t.loading}</p>}
      {clinics && (
        <table>
          <caption className="visually-hidden">{t.clinics}</caption>
          <thead>
            <tr>
              <th scope="col">{t.name}</th>
              <th scope="col">{t.specialty}</th>
              <th scope="col">{t.ydernummer}</th>
              <th scope="col">{t.usesMitid}</th>
              <th scope="col">{t.patientCount}</th>
              <th scope="col">{t.staffCount}</th>
              <th scope="col">{t.autoApprovalAllowed}</th>
            </tr>
          </thead>
          <tbody>
            {clinics.map((c) => (
              <tr key={c.id}>
                <td>{c.name}</td>
                <td>{t[c.specialty]}</td>
                <td className="mono">{c.ydernummer ?? '–'}</td>
                <td>{c.usesMitid ? t.yes : t.no}</td>
                <td>{c.patientCount}</td>
                <td>{c.staffCount}</td>
                <td>
                  {c.autoApprovalAllowed ? t.yes : t.no}{' '}
                  <button
                    type="button"
                    onClick={() => void switchAuto(c.id, !c.autoApprovalAllowed)}
                    aria-label={`${c.autoApprovalAllowed ? t.forbid : t.allow}: ${t.autoApprovalAllowed} – ${c.name}`}
                  >
                    {c.autoApprovalAllowed ? t.forbid : t.allow}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <section aria-labelledby="failed-mails">
        <h2 id="failed-mails">{t.failedMails}</h2>
        {mails.length === 0 ? (
          <p>{t.noFailedMails}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">{t.recipient}</th>
                <th scope="col">{t.error}</th>
                <th scope="col">{t.attempts}</th>
                <th scope="col">
                  <span className="visually-hidden">{t.retry}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {mails.map((m) => (
                <tr key={m.id}>
                  <td>{m.to}</td>
                  <td>{m.lastError}</td>
                  <td>{m.attempts}</td>
                  <td>
                    <button type="button" onClick={() => void retry(m.id)}>
                      {t.retry}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <StaffSecuritySection endpoint="/api/support/security" scope="platform" canEdit />
    </>
  );
}
