import { useEffect, useState } from 'react';
import { api } from '../api.ts';
import { ErrorMessage, PageTitle } from '../components.tsx';
import { useI18n } from '../i18n.tsx';
import { Link } from '../router.tsx';

/** Confirms a new e-mail address. A button, not page load, uses the link (mail scanners open links). */
export function ConfirmEmailPage() {
  const { t } = useI18n();
  // Read once: the fragment is cleared after use, and the page must not re-read it then.
  const [token] = useState(() => new URLSearchParams(window.location.hash.slice(1)).get('token') ?? '');
  const [done, setDone] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => setError(null), []);
  const confirm = async () => {
    try {
      await api('POST', '/api/patient/confirm-email', { token });
      window.history.replaceState(null, '', window.location.pathname);
      setDone(true);
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <div className="narrow">
      <PageTitle>{t.confirmEmailTitle}</PageTitle>
      {done ? (
        <p role="status">{t.emailConfirmed}</p>
      ) : (
        <button type="button" onClick={() => void confirm()}>
          {t.confirm}
        </button>
      )}
      <ErrorMessage error={error} />
      <p>
        <Link href="/portal">{t.portalHome}</Link>
      </p>
    </div>
  );
}
