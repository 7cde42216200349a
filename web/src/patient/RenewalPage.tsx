import { useCallback, useEffect, useState } from 'react';
import { api } from '../api.ts';
import { ErrorMessage } from '../components.tsx';
import { ActionStatus, useAction } from '../forms.tsx';
import { useI18n } from '../i18n.tsx';
import { useTexts } from '../texts-everyday.ts';

export interface Medications {
  canRequest: boolean;
  medications: { id: string; name: string; dosage: string; renewableOnline: boolean; renewalStatus: string | null; renewalNote: string | null }[];
}

type State = 'can' | 'requested' | 'approved' | 'rejected' | 'notOnline';

/** e-receptfornyelse: the medication list, each item with one clear state and its action beside it. */
export function RenewalPage({ apiBase }: { apiBase: string }) {
  const { t } = useI18n();
  const x = useTexts();
  const [meds, setMeds] = useState<Medications | null>(null);
  // A refusal (a right taken away, a fuldmagt revoked) is shown, not left as "Henter…".
  const [loadError, setLoadError] = useState<unknown>(null);
  const [acting, setActing] = useState<string | null>(null);
  const renew = useAction();
  const load = useCallback(() => api<Medications>('GET', `${apiBase}/medications`).then(setMeds, setLoadError), [apiBase]);
  useEffect(() => void load(), [load]);
  if (!meds) return loadError ? <ErrorMessage error={loadError} /> : <p role="status">{t.loading}</p>;

  const stateOf = (m: Medications['medications'][number]): State => {
    if (!m.renewableOnline) return 'notOnline';
    if (m.renewalStatus === 'requested' || m.renewalStatus === 'approved' || m.renewalStatus === 'rejected') return m.renewalStatus;
    return 'can';
  };
  return (
    <section aria-labelledby="meds-title" className="card">
      <h2 id="meds-title">{t.medications}</h2>
      {!meds.canRequest && <p className="muted">{x.readOnly}</p>}
      {meds.medications.length === 0 && <p>{t.noMedications}</p>}
      <ul className="rows">
        {meds.medications.map((m) => {
          const state = stateOf(m);
          return (
            <li key={m.id} data-state={state}>
              <span>
                <strong>{m.name}</strong> {m.dosage}
                <br />
                <span className={`state state-${state}`}>{x.medicationState[state]}</span>
                {m.renewalNote && <span className="muted"> – {m.renewalNote}</span>}
              </span>
              {meds.canRequest && m.renewableOnline && state !== 'requested' && (
                <button
                  type="button"
                  disabled={renew.busy}
                  onClick={() => {
                    setActing(m.id);
                    void renew.run(() => api('POST', `${apiBase}/medications/${m.id}/renewals`, {}).then(load), x.renewRequested);
                  }}
                >
                  {t.renew} <span className="visually-hidden">{m.name}</span>
                </button>
              )}
              {acting === m.id && <ActionStatus action={renew} />}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
