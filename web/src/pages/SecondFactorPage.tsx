import { useEffect, useState, type SubmitEvent } from 'react';
import {
  startAuthentication,
  startRegistration,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';
import { api, type Session } from '../api.ts';
import { ErrorMessage, PageTitle } from '../components.tsx';
import { useI18n } from '../i18n.tsx';

// The texts of this page only, kept beside it (Danish first).
const texts = {
  da: {
    verifyTitle: 'To-trinsbekræftelse',
    verifyHelp: 'Skriv den 6-cifrede kode fra din godkendelsesapp.',
    recoveryHelp: 'Skriv en af dine gendannelseskoder. Hver kode virker én gang.',
    code: 'Kode',
    recoveryCode: 'Gendannelseskode',
    useRecovery: 'Brug en gendannelseskode i stedet',
    useApp: 'Brug koden fra godkendelsesappen',
    confirm: 'Bekræft',
    busy: 'Kontrollerer …',
    enrollTitle: 'Opsæt to-trinsbekræftelse',
    enrollHelp:
      'Din klinik kræver en ekstra kode ved login. Tilføj Patientportal i en godkendelsesapp (fx Microsoft Authenticator eller Google Authenticator): åbn linket på telefonen, eller skriv nøglen manuelt. Skriv derefter den kode, appen viser.',
    secret: 'Nøgle',
    openInApp: 'Åbn i godkendelsesapp',
    codesTitle: 'Dine gendannelseskoder',
    codesHelp: 'Gem koderne et sikkert sted. Mister du telefonen, kan du logge ind med én af dem. De vises kun denne ene gang.',
    continue: 'Jeg har gemt koderne – fortsæt',
    usePasskey: 'Log ind med passkey',
    addPasskey: 'Opret en passkey på denne enhed',
    orApp: 'Eller brug en godkendelsesapp:',
  },
  en: {
    verifyTitle: 'Two-step verification',
    verifyHelp: 'Enter the 6-digit code from your authenticator app.',
    recoveryHelp: 'Enter one of your recovery codes. Each code works once.',
    code: 'Code',
    recoveryCode: 'Recovery code',
    useRecovery: 'Use a recovery code instead',
    useApp: 'Use the code from the authenticator app',
    confirm: 'Confirm',
    busy: 'Checking …',
    enrollTitle: 'Set up two-step verification',
    enrollHelp:
      'Your clinic requires an extra code at login. Add Patientportal to an authenticator app (e.g. Microsoft Authenticator or Google Authenticator): open the link on your phone, or type the key. Then enter the code the app shows.',
    secret: 'Key',
    openInApp: 'Open in authenticator app',
    codesTitle: 'Your recovery codes',
    codesHelp: 'Keep these codes somewhere safe. If you lose your phone, you can log in with one of them. They are shown only this once.',
    continue: 'I have saved the codes – continue',
    usePasskey: 'Log in with a passkey',
    addPasskey: 'Create a passkey on this device',
    orApp: 'Or use an authenticator app:',
  },
};

/** Step 2 of a staff login: the code from the app (or a recovery code), or enrolment at the first login when required. */
export function SecondFactorPage({
  step,
  methods,
  onLogin,
}: {
  step: 'verify' | 'enroll';
  methods: ('passkey' | 'totp')[];
  onLogin: (session: Session) => void;
}) {
  const { lang } = useI18n();
  const t = texts[lang];
  const [method, setMethod] = useState<'totp' | 'recovery'>(step === 'enroll' || methods.includes('totp') ? 'totp' : 'recovery');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [enrolment, setEnrolment] = useState<{ secret: string; uri: string } | null>(null);
  const [done, setDone] = useState<{ recoveryCodes: string[]; session: Session } | null>(null);

  useEffect(() => {
    if (step !== 'enroll') return;
    api<{ secret: string; uri: string }>('POST', '/api/auth/second-factor/totp').then(setEnrolment, setError);
  }, [step]);

  const busyWith = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const passkeyLogin = () =>
    busyWith(async () => {
      const optionsJSON = await api<PublicKeyCredentialRequestOptionsJSON>('POST', '/api/auth/second-factor/passkey/options');
      const response = await startAuthentication({ optionsJSON });
      onLogin(await api<Session>('POST', '/api/auth/second-factor/passkey', { response }));
    });

  const passkeyRegistration = () =>
    busyWith(async () => {
      const optionsJSON = await api<PublicKeyCredentialCreationOptionsJSON>('POST', '/api/auth/second-factor/passkey/registration-options');
      const response = await startRegistration({ optionsJSON });
      const result = await api<{ recoveryCodes: string[]; session: Session | null }>('POST', '/api/auth/second-factor/passkey/registration', { response });
      if (result.session) setDone({ recoveryCodes: result.recoveryCodes, session: result.session });
    });

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (step === 'verify') {
        onLogin(await api<Session>('POST', '/api/auth/second-factor', { method, code }));
      } else {
        const result = await api<{ recoveryCodes: string[]; session: Session | null }>('POST', '/api/auth/second-factor/totp/confirm', { code });
        if (result.session) setDone({ recoveryCodes: result.recoveryCodes, session: result.session });
      }
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  if (done) {
    return (
      <div className="narrow">
        <PageTitle>{t.codesTitle}</PageTitle>
        <p>{t.codesHelp}</p>
        <ul className="recovery-codes">
          {done.recoveryCodes.map((c) => (
            <li key={c}>
              <code>{c}</code>
            </li>
          ))}
        </ul>
        <button type="button" onClick={() => onLogin(done.session)}>
          {t.continue}
        </button>
      </div>
    );
  }

  const label = method === 'totp' ? t.code : t.recoveryCode;
  return (
    <div className="narrow">
      <PageTitle>{step === 'verify' ? t.verifyTitle : t.enrollTitle}</PageTitle>
      {methods.includes('passkey') && step === 'verify' && (
        <p>
          <button type="button" disabled={busy} onClick={() => void passkeyLogin()}>
            {t.usePasskey}
          </button>
        </p>
      )}
      {step === 'enroll' ? (
        <>
          <p>
            <button type="button" disabled={busy} onClick={() => void passkeyRegistration()}>
              {t.addPasskey}
            </button>
          </p>
          <p>
            {t.orApp} {t.enrollHelp}
          </p>
          {enrolment && (
            <p>
              {t.secret}: <code>{enrolment.secret.replace(/(.{4})/g, '$1 ').trim()}</code> <a href={enrolment.uri}>{t.openInApp}</a>
            </p>
          )}
        </>
      ) : (
        <p id="second-factor-help">{method === 'totp' ? t.verifyHelp : t.recoveryHelp}</p>
      )}
      <form onSubmit={(e) => void submit(e)} aria-busy={busy}>
        <label htmlFor="second-factor-code">{label}</label>
        <input
          id="second-factor-code"
          autoComplete="one-time-code"
          inputMode={method === 'totp' ? 'numeric' : 'text'}
          required
          value={code}
          aria-describedby={step === 'verify' ? 'second-factor-help' : undefined}
          onChange={(e) => setCode(e.target.value)}
        />
        <ErrorMessage error={error} />
        <button type="submit" disabled={busy}>
          {busy ? t.busy : t.confirm}
        </button>
      </form>
      {step === 'verify' && (
        <button
          type="button"
          className="link-button"
          onClick={() => {
            setMethod(method === 'totp' ? 'recovery' : 'totp');
            setCode('');
            setError(null);
          }}
        >
          {method === 'totp' ? t.useRecovery : t.useApp}
        </button>
      )}
    </div>
  );
}
