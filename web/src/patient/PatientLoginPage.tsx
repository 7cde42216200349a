import { useRef, useState, type SubmitEvent } from 'react';
import { api, setCsrfToken } from '../api.ts';
import { ErrorMessage, PageTitle } from '../components.tsx';
import { useI18n } from '../i18n.tsx';
import { Link } from '../router.tsx';
import { MitidNotice } from './MitidNotice.tsx';
import { MitidWaiting } from './MitidWaiting.tsx';

/** Two steps on one page: CPR number or e-mail + password, then the mailed security code. */
export function PatientLoginPage({ onLogin }: { onLogin: () => void }) {
  const { t } = useI18n();
  const [identifier, setIdentifier] = useState('');
  const [password, setPassword] = useState('');
  const [challengeId, setChallengeId] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const codeRef = useRef<HTMLInputElement>(null);

  const attempt = async (action: () => Promise<void>) => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const start = (event: SubmitEvent) => {
    event.preventDefault();
    void attempt(async () => {
      const r = await api<{ challengeId: string }>('POST', '/api/patient/login', { identifier, password });
      setPassword('');
      setChallengeId(r.challengeId);
      setTimeout(() => codeRef.current?.focus(), 0);
    });
  };

  const finish = (event: SubmitEvent) => {
    event.preventDefault();
    void attempt(async () => {
      const r = await api<{ csrfToken: string }>('POST', '/api/patient/login/code', { challengeId, code: code.replace(/\s/g, '') });
      setCsrfToken(r.csrfToken);
      onLogin();
    });
  };

  if (challengeId) {
    return (
      <div className="narrow">
        <PageTitle>{t.codeSentTitle}</PageTitle>
        <p id="code-help">{t.codeSentHelp}</p>
        <form onSubmit={finish} aria-busy={busy}>
          <label htmlFor="code">{t.securityCode}</label>
          <input
            id="code"
            ref={codeRef}
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9 ]*"
            maxLength={10}
            required
            aria-describedby="code-help"
            value={code}
            onChange={(e) => setCode(e.target.value)}
          />
          <ErrorMessage error={error} />
          <button type="submit" disabled={busy}>
            {t.confirm}
          </button>
        </form>
        <p>
          <button type="button" className="link-button" onClick={() => setChallengeId(null)}>
            {t.backToLogin}
          </button>
        </p>
      </div>
    );
  }

  return (
    <div className="narrow">
      <PageTitle>{t.patientLoginTitle}</PageTitle>
      {new URLSearchParams(window.location.search).get('mitid') === 'waiting' ? <MitidWaiting /> : <MitidNotice />}
      <p>
        {/* A plain link: the server redirects on to the MitID broker. */}
        <a className="button-link" href="/api/mitid/start?purpose=login">
          {t.loginWithMitid}
        </a>
      </p>
      <p className="muted">{t.or}</p>
      <form onSubmit={start} aria-busy={busy}>
        <label htmlFor="identifier">{t.cprOrEmail}</label>
        <input id="identifier" autoComplete="username" required value={identifier} onChange={(e) => setIdentifier(e.target.value)} />
        <label htmlFor="password">{t.password}</label>
        <input id="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        <ErrorMessage error={error} />
        <button type="submit" disabled={busy}>
          {t.login}
        </button>
      </form>
      <p>
        <Link href="/portal/forgot">{t.forgotPassword}</Link>
      </p>
    </div>
  );
}
