import { useCallback, useEffect, useState } from 'react';
import { api } from '../api.ts';
import { ErrorMessage, PageTitle } from '../components.tsx';
import { formatDateTime } from '../format.ts';
import { useI18n } from '../i18n.tsx';
import type { ApiResponse } from '../api-schema.ts';

type Renewal = ApiResponse<'/api/clinics/{clinicId}/renewals'>['renewals'][number];

export function RenewalsPage({ clinicId }: { clinicId: string }) {
  const { t, lang } = useI18n();
  const [rows, setRows] = useState<Renewal[]>([]);
  const [notes, setNotes] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(
    () =>
      api<{ renewals: Renewal[] }>('GET', `/api/clinics/${clinicId}/renewals`)
        .then((r) => setRows(r.renewals))
        .catch(setError),
    [clinicId],
  );
  useEffect(() => void load(), [load]);
  const decide = async (id: string, action: 'approve' | 'reject') => {
    setError(null);
    try {
      await api('POST', `/api/clinics/${clinicId}/renewals/${id}/${action}`, { note: notes[id] || null });
      void load();
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <>
      <PageTitle>{t.renewalsAdmin}</PageTitle>
      <ErrorMessage error={error} />
      {rows.map((r) => (
        <section key={r.id} className="card request" aria-labelledby={`renewal-${r.id}`}>
          <h2 id={`renewal-${r.id}`}>
            {r.medication} {r.dosage} – {r.patientName}
          </h2>
          <p>
            {formatDateTime(r.requestedAt, lang)} · {t.renewalStates[r.status]}
            {r.note && `: ${r.note}`}
          </p>
          {r.status === 'requested' && (
            <>
              <label htmlFor={`note-${r.id}`}>{t.note}</label>
              <input id={`note-${r.id}`} value={notes[r.id] ?? ''} onChange={(e) => setNotes({ ...notes, [r.id]: e.target.value })} />
              <div className="buttons">
                <button type="button" onClick={() => void decide(r.id, 'approve')}>
                  {t.approve}
                </button>
                <button type="button" className="danger" onClick={() => void decide(r.id, 'reject')}>
                  {t.reject}
                </button>
              </div>
            </>
          )}
        </section>
      ))}
    </>
  );
}
