import { useState, type SubmitEvent } from 'react';
import { api } from '../api.ts';
import { ErrorMessage, PageTitle } from '../components.tsx';
import { useI18n } from '../i18n.tsx';
import { Link } from '../router.tsx';

/**
 * Opened from the mailed link. The token sits in the URL fragment, which never reaches the
 * server or its logs, and only the submit below uses it up (mail scanners open links).
 */
export function SetPasswordPage() {
  const { t, lang } = useI18n();
  // Read once: the fragment is cleared after use, and the page must not re-read it then.
  const [token] = useState(() => new URLSearchParams(window.location.hash.slice(1)).get('token'));
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [mismatch, setMismatch] = useState(false);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  if (!token) {
    return (
      <div className="narrow">
        <PageTitle>{t.setPasswordTitle}</PageTitle>
        <p role="alert">{t.missingToken}</p>
      </div>
    );
  }
  if (done) {
    return (
      <div className="narrow">
        <PageTitle>{t.setPasswordTitle}</PageTitle>
        <p role="status">{t.passwordSaved}</p>
        <Link href="/login">{t.goToLogin}</Link>
      </div>
    );
  }

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setMismatch(password !== repeat);
    if (password !== repeat) return;
    setBusy(true);
    setError(null);
    try {
      await api('POST', '/api/auth/set-password', { token, password });
      window.history.replaceState(null, '', '/set-password');
      setDone(true);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="narrow">
      <PageTitle>{t.setPasswordTitle}</PageTitle>
      <form onSubmit={(e) => void submit(e)} aria-busy={busy} lang={lang}>
        <label htmlFor="new-password">{t.newPassword}</label>
        <input
          id="new-password"
          type="password"
          autoComplete="new-password"
          required
          minLength={12}
          maxLength={128}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <label htmlFor="repeat-password">{t.repeatPassword}</label>
        <input
          id="repeat-password"
          type="password"
          autoComplete="new-password"
          required
          value={repeat}
          onChange={(e) => setRepeat(e.target.value)}
          aria-invalid={mismatch}
        />
        {mismatch && (
          <p role="alert" className="error">
            {t.passwordsDiffer}
          </p>
        )}
        <ErrorMessage error={error} />
        <button type="submit" disabled={busy}>
          {t.save}
        </button>
      </form>
    </div>
  );
}
