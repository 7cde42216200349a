import { useEffect, useState, type SubmitEvent } from 'react';
import { api, ApiError } from '../api.ts';
import { ErrorMessage, PageTitle } from '../components.tsx';
import { useI18n } from '../i18n.tsx';
import { Link } from '../router.tsx';

/**
 * A page opened from a mailed link (activation or new password). Opening it only inspects the
 * link; the submit uses it. The token stays in the URL fragment, which no server ever sees.
 */
export function TokenPasswordPage({ kind }: { kind: 'activation' | 'reset' }) {
  const { t } = useI18n();
  // Read once: the fragment is cleared after use, and the page must not re-read it then.
  const [token] = useState(() => new URLSearchParams(window.location.hash.slice(1)).get('token') ?? '');
  const inspectUrl = kind === 'activation' ? '/api/patient/activation/inspect' : '/api/patient/password-reset/inspect';
  const submitUrl = kind === 'activation' ? '/api/patient/activation' : '/api/patient/password-reset';
  const [clinicName, setClinicName] = useState<string | null>(null);
  const [state, setState] = useState<'checking' | 'ready' | 'invalid' | 'done'>('checking');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!token) {
      setState('invalid');
      return;
    }
    api<{ clinicName?: string | null }>('POST', inspectUrl, { token })
      .then((r) => {
        setClinicName(r.clinicName ?? null);
        setState('ready');
      })
      .catch(() => setState('invalid'));
  }, [token, inspectUrl]);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await api('POST', submitUrl, { token, password });
      window.history.replaceState(null, '', window.location.pathname);
      setState('done');
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 410) setState('invalid');
      else setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const title = kind === 'activation' ? t.activateTitle : t.resetTitle;
  return (
    <div className="narrow">
      <PageTitle>{title}</PageTitle>
      {state === 'checking' && <p role="status">{t.loading}</p>}
      {state === 'invalid' && (
        <>
          <p role="alert">{t.linkInvalidHelp}</p>
          <Link href="/portal/forgot">{t.forgotPassword}</Link>
        </>
      )}
      {state === 'done' && (
        <>
          <p role="status">{kind === 'activation' ? t.activated : t.passwordSaved}</p>
          <Link href="/portal/login">{t.goToLogin}</Link>
        </>
      )}
      {state === 'ready' && (
        <form onSubmit={(e) => void submit(e)} aria-busy={busy}>
          {kind === 'activation' && clinicName && <p>{t.activateFor(clinicName)}</p>}
          <label htmlFor="new-password">{t.password}</label>
          <input
            id="new-password"
            type="password"
            autoComplete="new-password"
            required
            minLength={12}
            maxLength={128}
            aria-describedby="password-help"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <p id="password-help" className="muted">
            {t.passwordHelp}
          </p>
          <ErrorMessage error={error} />
          <button type="submit" disabled={busy}>
            {kind === 'activation' ? t.activateButton : t.save}
          </button>
        </form>
      )}
    </div>
  );
}
