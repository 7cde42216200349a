import { useCallback, useEffect, useRef, useState, type SubmitEvent } from 'react';
import { api } from '../api.ts';
import { ErrorMessage } from '../components.tsx';
import { formatDateTime } from '../format.ts';
import { useI18n } from '../i18n.tsx';
import { useTexts } from '../texts-everyday.ts';
import type { ApiResponse } from '../api-schema.ts';

type Right = 'econsultation' | 'booking' | 'renewal';
const ALL_RIGHTS: Right[] = ['econsultation', 'booking', 'renewal'];

type PortalState = ApiResponse<'/api/clinics/{clinicId}/patients/{patientId}/portal'>;

/**
 * The "Patientportal" form of the patient record: Opret (Alt+P), Gensend, Ny kode (Alt+K), rights
 * and "Ønsker svar elektronisk", Slet with a confirm step, and a short history.
 */
export function PortalForm({ clinicId, patientId, onState }: { clinicId: string; patientId: string; onState?: (status: PortalState['status']) => void }) {
  const { t, lang } = useI18n();
  const x = useTexts();
  const url = `/api/clinics/${clinicId}/patients/${patientId}/portal`;
  const [state, setState] = useState<PortalState | null>(null);
  const [email, setEmail] = useState('');
  const [rights, setRights] = useState<Right[]>([]);
  const [electronic, setElectronic] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const emailRef = useRef<HTMLInputElement>(null);

  const onStateRef = useRef(onState);
  onStateRef.current = onState;
  const accept = useCallback((next: PortalState) => {
    setState(next);
    onStateRef.current?.(next.status);
    setEmail(next.email ?? '');
    setRights(next.rights.filter((r) => next.offeredFunctions.includes(r)));
    setElectronic(next.wantsElectronicReply);
  }, []);

  useEffect(() => {
    api<PortalState>('GET', url).then(accept).catch(setError);
    emailRef.current?.focus();
  }, [url, accept]);

  const run = async (action: () => Promise<PortalState | undefined>, message: string) => {
    if (busy) return; // a double press sends one request
    setBusy(true);
    setError(null);
    setNotice('');
    try {
      const next = await action();
      if (next) accept(next);
      setNotice(message);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const opret = () =>
    run(async () => {
      const next = await api<PortalState>('POST', url, { email, rights, wantsElectronicReply: electronic });
      setNotice(next.status === 'active' ? t.linked : t.created);
      return next;
    }, '').then(() => undefined);
  const save = () => run(() => api<PortalState>('PUT', url, { rights, wantsElectronicReply: electronic }), t.saved);
  const resend = () => run(() => api<PortalState>('POST', `${url}/resend-activation`), t.resent);
  const newCode = () => run(() => api('POST', `${url}/new-password`).then(() => undefined), t.passwordLinkSent);
  const correctEmail = () => run(() => api<PortalState>('PUT', `${url}/email`, { email }), x.emailCorrected);
  const remove = () => run(() => api<PortalState>('DELETE', url), t.deleted).then(() => setConfirmingDelete(false));

  const hasAccess = state !== null && state.status !== 'none';
  // While "Afventer aktivering" a mistyped address can be corrected; once active it is the patient's.
  const emailEditable = !hasAccess || state.status === 'pending_activation';
  const emailChanged = state?.status === 'pending_activation' && email.trim().toLowerCase() !== (state.email ?? '').toLowerCase();
  const canNewCode = state?.status === 'active' || state?.status === 'stopped';

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!event.altKey || !state) return;
      if (event.code === 'KeyP' && !hasAccess) {
        event.preventDefault();
        void opret();
      } else if (event.code === 'KeyK' && canNewCode) {
        event.preventDefault();
        void newCode();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    void (hasAccess ? save() : opret());
  };
  const toggle = (right: Right, on: boolean) => setRights((current) => ALL_RIGHTS.filter((r) => (r === right ? on : current.includes(r))));

  const describeChange = (change: NonNullable<PortalState['history'][number]['change']>) => {
    const names = (rights: Right[]) => rights.map((r) => t[r]).join(', ');
    const parts = [
      change.added.length ? x.rightsAdded(names(change.added)) : null,
      change.removed.length ? x.rightsRemoved(names(change.removed)) : null,
      change.wantsElectronicReply === null ? null : change.wantsElectronicReply ? x.replyOn : x.replyOff,
    ].filter(Boolean);
    return parts.length ? ` (${parts.join('; ')})` : '';
  };

  if (!state) return <ErrorMessage error={error} />;

  return (
    <section aria-labelledby="portal-form-title" className="card portal-form">
      <h2 id="portal-form-title">{t.portalForm}</h2>
      {state.status === 'pending_activation' && (
        <p className="banner banner-yellow" role="status">
          <strong>{t.awaitingActivation}</strong>
          {state.activationSentAt && <> · {t.linkSent(formatDateTime(state.activationSentAt, lang))}</>}
        </p>
      )}
      {state.status === 'active' && <p className="banner banner-green">{t.statusActive}</p>}
      {state.status === 'stopped' && <p className="banner banner-red">{t.statusStopped}</p>}
      {state.status === 'none' && (
        <p className="muted">
          {t.statusNone}
          {state.previouslyDeletedAt && (
            <>
              {' '}
              <span className="flag" aria-hidden="true">
                !
              </span>{' '}
              {t.previouslyDeleted(formatDateTime(state.previouslyDeletedAt, lang))}
            </>
          )}
        </p>
      )}
      <form onSubmit={submit} aria-busy={busy}>
        <label htmlFor="portal-email">{t.email}</label>
        <input
          id="portal-email"
          ref={emailRef}
          type="email"
          required
          value={email}
          readOnly={!emailEditable}
          aria-readonly={!emailEditable}
          onChange={(e) => setEmail(e.target.value)}
        />
        <fieldset>
          <legend>{t.functions}</legend>
          {ALL_RIGHTS.map((right) => {
            const offered = state.offeredFunctions.includes(right);
            return (
              <div key={right} className="check">
                <input
                  id={`right-${right}`}
                  type="checkbox"
                  checked={rights.includes(right)}
                  disabled={!offered}
                  onChange={(e) => toggle(right, e.target.checked)}
                  aria-describedby={offered ? undefined : `right-${right}-note`}
                />
                <label htmlFor={`right-${right}`}>{t[right]}</label>
                {!offered && (
                  <span id={`right-${right}-note`} className="muted">
                    {' '}
                    ({t.notOffered})
                  </span>
                )}
              </div>
            );
          })}
          <div className="check">
            <input id="wants-electronic" type="checkbox" checked={electronic} onChange={(e) => setElectronic(e.target.checked)} />
            <label htmlFor="wants-electronic">{t.wantsElectronicReply}</label>
          </div>
        </fieldset>
        <ErrorMessage error={error} />
        <p role="status" className="notice">
          {notice}
        </p>
        <div className="buttons">
          {!hasAccess && (
            <button type="submit" disabled={busy} aria-keyshortcuts="Alt+P">
              {t.create} <kbd>Alt+P</kbd>
            </button>
          )}
          {hasAccess && (
            <button type="submit" disabled={busy}>
              {t.saveChanges}
            </button>
          )}
          {emailChanged && (
            <button type="button" disabled={busy} onClick={() => void correctEmail()}>
              {x.correctEmail}
            </button>
          )}
          {state.status === 'pending_activation' && !emailChanged && (
            <button type="button" disabled={busy} onClick={() => void resend()}>
              {t.resend}
            </button>
          )}
          {canNewCode && (
            <button type="button" disabled={busy} onClick={() => void newCode()} aria-keyshortcuts="Alt+K">
              {t.newCode} <kbd>Alt+K</kbd>
            </button>
          )}
          {hasAccess && !confirmingDelete && (
            <button type="button" className="danger" disabled={busy} onClick={() => setConfirmingDelete(true)}>
              {t.delete}
            </button>
          )}
        </div>
        {confirmingDelete && (
          <div role="alertdialog" aria-labelledby="confirm-delete-text" className="confirm">
            <p id="confirm-delete-text">{t.confirmDelete}</p>
            <button type="button" className="danger" autoFocus onClick={() => void remove()}>
              {t.confirmDeleteYes}
            </button>{' '}
            <button type="button" onClick={() => setConfirmingDelete(false)}>
              {t.cancel}
            </button>
          </div>
        )}
      </form>
      {state.history.length > 0 && (
        <>
          <h3>{t.history}</h3>
          <ul className="history">
            {state.history.map((h, i) => (
              <li key={i}>
                {h.action === 'portal.email_corrected' ? x.historyEmailCorrected : (t.historyAction[h.action] ?? h.action)}
                {h.change && describeChange(h.change)}
                {h.actorName ? ` ${t.by} ${h.actorName}` : ''} · {formatDateTime(h.at, lang)}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
