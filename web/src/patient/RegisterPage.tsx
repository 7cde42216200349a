import { useEffect, useState, type SubmitEvent } from 'react';
import { api } from '../api.ts';
import { ErrorMessage, PageTitle } from '../components.tsx';
import { useI18n } from '../i18n.tsx';
import { Link, navigate } from '../router.tsx';
import { MitidNotice } from './MitidNotice.tsx';

interface RegistrationInfo {
  clinic: { name: string; slug: string; acceptsMitid: boolean; automatic: boolean; acceptsRequestForm: boolean };
  mitidAvailable: boolean;
  identity: {
    name: string;
    birthDate: string;
    under15: boolean;
    email: string | null;
    codeSent: boolean;
    request: { status: 'open' | 'approved' | 'rejected'; rejectionReason: string | null } | null;
  } | null;
}

interface Result {
  outcome: 'approved' | 'queued' | 'already_member';
  alreadyOpen?: boolean;
}

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

  const run = async (event: SubmitEvent, action: () => Promise<void>) => {
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
  const sendCode = (event: SubmitEvent) =>
    run(event, async () => {
      await api('POST', `/api/registration/${encodeURIComponent(slug)}/contact`, { email, phone: phone || null });
      setCodeSent(true);
    });
  const submit = (event: SubmitEvent) =>
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
      {!clinic.acceptsMitid && !clinic.acceptsRequestForm && <p>{t.registerClosed}</p>}
      {clinic.acceptsRequestForm && <RequestForm slug={clinic.slug} />}
      {identity?.request && !result && (
        <p role="status">
          {t.requestStatus[identity.request.status]}
          {identity.request.rejectionReason && <> – {identity.request.rejectionReason}</>}
        </p>
      )}
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
          <form onSubmit={(e) => void sendCode(e)} aria-busy={busy}>
            <p id="contact-help">{t.registerContact}</p>
            <label htmlFor="reg-email">{t.email}</label>
            <input
              id="reg-email"
              type="email"
              autoComplete="email"
              required
              aria-describedby="contact-help"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
            <label htmlFor="reg-phone">{t.phoneLabel}</label>
            <input id="reg-phone" type="tel" autoComplete="tel" value={phone} onChange={(e) => setPhone(e.target.value)} />
            <button type="submit" disabled={busy}>
              {t.sendCode}
            </button>
          </form>
          {codeSent && (
            <form onSubmit={(e) => void submit(e)} aria-busy={busy}>
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

/** The form of a clinic without MitID. The answer is the same whatever the clinic knows. */
function RequestForm({ slug }: { slug: string }) {
  const { t } = useI18n();
  const [form, setForm] = useState({ name: '', cpr: '', email: '', phone: '' });
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const field = (key: keyof typeof form) => ({ value: form[key], onChange: (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value }) });
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setError(null);
    try {
      await api('POST', `/api/registration/${encodeURIComponent(slug)}/request`, { ...form, phone: form.phone || null });
      setSent(true);
    } catch (caught) {
      setError(caught);
    }
  };
  if (sent) return <p role="status">{t.requestFormSent}</p>;
  return (
    <form onSubmit={(e) => void submit(e)}>
      <h2>{t.requestFormTitle}</h2>
      <p>{t.requestFormIntro}</p>
      <label htmlFor="rf-name">{t.fullName}</label>
      <input id="rf-name" autoComplete="name" required maxLength={120} {...field('name')} />
      <label htmlFor="rf-cpr">{t.cpr}</label>
      <input id="rf-cpr" required maxLength={11} inputMode="numeric" {...field('cpr')} />
      <label htmlFor="rf-email">{t.email}</label>
      <input id="rf-email" type="email" autoComplete="email" required {...field('email')} />
      <label htmlFor="rf-phone">{t.phoneLabel}</label>
      <input id="rf-phone" type="tel" autoComplete="tel" {...field('phone')} />
      <ErrorMessage error={error} />
      <button type="submit">{t.sendRequest}</button>
    </form>
  );
}
