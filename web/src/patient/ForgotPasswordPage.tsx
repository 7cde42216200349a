import { useState, type SubmitEvent } from 'react';
import { api } from '../api.ts';
import { ErrorMessage, PageTitle } from '../components.tsx';
import { useI18n } from '../i18n.tsx';
import { Link } from '../router.tsx';

export function ForgotPasswordPage() {
  const { t } = useI18n();
  const [identifier, setIdentifier] = useState('');
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setError(null);
    try {
      await api('POST', '/api/patient/forgot-password', { identifier });
      setSent(true);
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <div className="narrow">
      <PageTitle>{t.forgotPassword}</PageTitle>
      {sent ? (
        <p role="status">{t.forgotSent}</p>
      ) : (
        <form onSubmit={(e) => void submit(e)}>
          <p id="forgot-help">{t.forgotHelp}</p>
          <label htmlFor="identifier">{t.cprOrEmail}</label>
          <input id="identifier" required aria-describedby="forgot-help" value={identifier} onChange={(e) => setIdentifier(e.target.value)} />
          <ErrorMessage error={error} />
          <button type="submit">{t.sendLink}</button>
        </form>
      )}
      <p>
        <Link href="/portal/login">{t.backToLogin}</Link>
      </p>
    </div>
  );
}
