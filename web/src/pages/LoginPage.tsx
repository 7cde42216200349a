import { useState, type SubmitEvent } from 'react';
import { api, type Session } from '../api.ts';
import { ErrorMessage, PageTitle } from '../components.tsx';
import { useI18n } from '../i18n.tsx';
import { SecondFactorPage } from './SecondFactorPage.tsx';

export function LoginPage({ onLogin }: { onLogin: (session: Session) => void }) {
  const { t } = useI18n();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [secondFactor, setSecondFactor] = useState<{ step: 'verify' | 'enroll'; methods: ('passkey' | 'totp')[] } | null>(null);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await api<Session | { secondFactor: { step: 'verify' | 'enroll'; methods: ('passkey' | 'totp')[] } }>('POST', '/api/auth/login', {
        email,
        password,
      });
      if ('secondFactor' in result) setSecondFactor(result.secondFactor);
      else onLogin(result);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  if (secondFactor) return <SecondFactorPage step={secondFactor.step} methods={secondFactor.methods} onLogin={onLogin} />;
  return (
    <div className="narrow">
      <PageTitle>{t.loginTitle}</PageTitle>
      <form onSubmit={(e) => void submit(e)} aria-busy={busy}>
        <label htmlFor="email">{t.email}</label>
        <input id="email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <label htmlFor="password">{t.password}</label>
        <input id="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        <ErrorMessage error={error} />
        <button type="submit" disabled={busy}>
          {busy ? t.loggingIn : t.login}
        </button>
      </form>
    </div>
  );
}
