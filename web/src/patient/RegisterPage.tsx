import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../api.ts';
import { ErrorMessage, PageTitle } from '../components.tsx';
import { useI18n } from '../i18n.tsx';
import { Link, navigate } from '../router.tsx';
import { MitidNotice } from './MitidNotice.tsx';

interface RegistrationInfo {
  clinic: { name: string; slug: string; acceptsMitid: boolean; automatic: boolean };
  mitidAvailable: boolean;
  identity: { name: string; birthDate: string; under15: boolean; email: string | null; codeSent: boolean } | null;
}

type Result = { outcome: 'approved' | 'queued' | 'already_member'; alreadyOpen?: boolean };

/** The clinic's stable registration link: MitID, then e-mail (confirmed by a mailed code) and phone. */
export function RegisterPage({ slug, onApproved }: { slug: string; onApproved: () => void }) {
  const { t } = useI18n();
  const [info, setInfo] = useState<RegistrationInfo | null>(null);
  const [email, setEmail] = useState('');
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState('');
  const [codeSent, setCodeSent] = useState(false);
  const [result, setResult] = useState<Result | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api<RegistrationInfo>('GET', `/api/registration/${encodeURIComponent(slug)}`)
      .then((r) => {
        setInfo(r);
        setCodeSent(r.identity?.codeSent ?? false);
        setEmail(r.identity?.email ?? '');
      })
      .catch(setError);
  }, [slug]);

  const run = async (event: FormEvent, action: () => Promise<void>) => {
    event.preventDefault();
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
  const sendCode = (event: FormEvent) =>
    run(event, async () => {
      await api('POST', `/api/registration/${encodeURIComponent(slug)}/contact`, { email, phone: phone || null });
      setCodeSent(true);
    });
  const submit = (event: FormEvent) =>
    run(event, async () => {
      const r = await api<Result>('POST', `/api/registration/${encodeURIComponent(slug)}/submit`, { code: code.trim() });
      if (r.outcome === 'approved') {
        onApproved();
        navigate('/portal');
      } else setResult(r);
    });

  if (!info) return <ErrorMessage error={error} />;
  const { clinic, identity } = info;
  return (
    <div className="narrow">
      <PageTitle>{t.registerTitle(clinic.name)}</PageTitle>
      <MitidNotice />
      {!clinic.acceptsMitid && <p>{t.registerClosed}</p>}
      {clinic.acceptsMitid && !identity && (
        <>
          <p>{t.registerIntro}</p>
          <a className="button-link" href={`/api/mitid/start?purpose=register&clinic=${encodeURIComponent(clinic.slug)}`}>
            {t.loginWithMitid}
          </a>
        </>
      )}
      {identity && identity.under15 && <p role="alert">{t.registerUnder15}</p>}
      {identity && !identity.under15 && !result && (
        <>
          <p>
            {t.registerIdentity(identity.name)} <span className="muted">{t.registerNotYou}</span>
          </p>
          <form onSubmit={sendCode} aria-busy={busy}>
            <p id="contact-help">{t.registerContact}</p>
            <label htmlFor="reg-email">{t.email}</label>
            <input id="reg-email" type="email" autoComplete="email" required aria-describedby="contact-help" value={email} onChange={(e) => setEmail(e.target.value)} />
            <label htmlFor="reg-phone">{t.phoneLabel}</label>
            <input id="reg-phone" type="tel" autoComplete="tel" value={phone} onChange={(e) => setPhone(e.target.value)} />
            <button type="submit" disabled={busy}>
              {t.sendCode}
            </button>
          </form>
          {codeSent && (
            <form onSubmit={submit} aria-busy={busy}>
              <label htmlFor="reg-code">{t.emailCode}</label>
              <input id="reg-code" inputMode="numeric" autoComplete="one-time-code" required value={code} onChange={(e) => setCode(e.target.value)} />
              <button type="submit" disabled={busy}>
                {t.register}
              </button>
            </form>
          )}
        </>
      )}
      <ErrorMessage error={error} />
      {result && (
        <p role="status">
          {result.outcome === 'already_member' ? t.registeredAlreadyMember : result.alreadyOpen ? t.registeredAlreadyOpen : t.registeredQueued}
        </p>
      )}
      {result?.outcome === 'already_member' && <Link href="/portal">{t.goToPortal}</Link>}
    </div>
  );
}
