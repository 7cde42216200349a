import { useEffect, useState, type SubmitEvent } from 'react';
import { api } from '../api.ts';
import { PageTitle } from '../components.tsx';
import { ActionStatus, useAction } from '../forms.tsx';
import { useI18n } from '../i18n.tsx';
import { Link, useLocation } from '../router.tsx';
import { useTexts } from '../texts-everyday.ts';
import { DataExportSection } from './DataExportSection.tsx';
import type { PatientOverview } from './PatientApp.tsx';
import { FuldmagtSection } from './FuldmagtSection.tsx';

/**
 * The profile: phone, e-mail, "Hent mine data" and "Slet mit login". A sensitive action is confirmed with what the
 * patient has: their password, or (registered with MitID, no password) a fresh MitID login that
 * returns here to the same action.
 */
export function PatientProfilePage({ overview, onChange, onDeleted }: { overview: PatientOverview; onChange: () => void; onDeleted: () => void }) {
  const { t, lang } = useI18n();
  const x = useTexts();
  const mitidError = useLocation().search.get('mitid');
  const [phone, setPhone] = useState(overview.phone ?? '');
  const [newEmail, setNewEmail] = useState('');
  const [emailPassword, setEmailPassword] = useState('');
  const [deletePassword, setDeletePassword] = useState('');
  const phoneAction = useAction();
  const emailAction = useAction();
  const deleteAction = useAction();
  const stepUp = overview.stepUp?.action ?? null;
  const usePassword = overview.hasPassword;
  // Back from MitID: straight to the action the step-up was for.
  useEffect(() => {
    if (!stepUp) return;
    const heading = document.getElementById(stepUp === 'delete_login' ? 'delete-title' : stepUp === 'give_fuldmagt' ? 'fuldmagt-title' : 'change-email-title');
    heading?.scrollIntoView({ block: 'center' });
    heading?.focus();
  }, [stepUp]);

  const savePhone = (event: SubmitEvent) => {
    event.preventDefault();
    void phoneAction.run(() => api('PUT', '/api/patient/me/phone', { phone: phone || null }).then(onChange), t.saved);
  };
  const changeEmail = (event: SubmitEvent) => {
    event.preventDefault();
    void emailAction.run(async () => {
      await api('POST', '/api/patient/me/email', { newEmail, ...(usePassword ? { password: emailPassword } : {}) });
      setEmailPassword('');
      onChange();
    }, t.emailChangeSent);
  };
  const deleteLogin = (event: SubmitEvent) => {
    event.preventDefault();
    void deleteAction.run(async () => {
      await api('DELETE', '/api/patient/me', usePassword ? { password: deletePassword } : {});
      onDeleted();
    }, t.loginDeleted);
  };
  /** A plain link: the server sends the browser to MitID and back to /portal/profile?stepup=… */
  const mitidLink = (action: 'delete_login' | 'change_email') => (
    <>
      <p className="muted">{x.mitidNeeded}</p>
      <a className="button-link" href={`/api/mitid/start?purpose=stepup&action=${action}`}>
        {x.confirmWithMitid}
      </a>
    </>
  );

  return (
    <div className="narrow">
      <PageTitle>{t.profile}</PageTitle>
      <p>
        <Link href="/portal/min-log">{lang === 'da' ? 'Min log: hvem har set mine oplysninger?' : 'My log: who has viewed my data?'}</Link>
      </p>
      {mitidError && (
        <p role="alert" className="error">
          {x.stepupErrors[mitidError] ?? t.mitidErrors[mitidError] ?? x.stepupErrors.stepup_failed}
        </p>
      )}
      <p>
        {t.email}: <strong>{overview.email}</strong>
      </p>

      <form onSubmit={savePhone} aria-busy={phoneAction.busy} className="card">
        <label htmlFor="phone">{t.phoneLabel}</label>
        <input id="phone" type="tel" autoComplete="tel" value={phone} onChange={(e) => setPhone(e.target.value)} {...phoneAction.field('phone')} />
        <button type="submit" disabled={phoneAction.busy}>
          {t.save}
        </button>
        <ActionStatus action={phoneAction} />
      </form>

      <form onSubmit={changeEmail} aria-busy={emailAction.busy} className="card" aria-labelledby="change-email-title">
        <h2 id="change-email-title" tabIndex={-1}>
          {t.changeEmail}
        </h2>
        {!usePassword && stepUp !== 'change_email' ? (
          mitidLink('change_email')
        ) : (
          <>
            {stepUp === 'change_email' && <p className="notice">{x.mitidConfirmed}</p>}
            <label htmlFor="new-email">{t.newEmail}</label>
            <input
              id="new-email"
              type="email"
              autoComplete="email"
              required
              value={newEmail}
              onChange={(e) => setNewEmail(e.target.value)}
              {...emailAction.field('newEmail')}
            />
            {usePassword && (
              <>
                <label htmlFor="email-password">{t.currentPassword}</label>
                <input
                  id="email-password"
                  type="password"
                  autoComplete="current-password"
                  required
                  value={emailPassword}
                  onChange={(e) => setEmailPassword(e.target.value)}
                  {...emailAction.field('password')}
                />
              </>
            )}
            <button type="submit" disabled={emailAction.busy}>
              {t.changeEmail}
            </button>
          </>
        )}
        <ActionStatus action={emailAction} />
      </form>

      <DataExportSection />

      <FuldmagtSection onChange={onChange} />

      <form onSubmit={deleteLogin} aria-busy={deleteAction.busy} className="card" aria-labelledby="delete-title">
        <h2 id="delete-title" tabIndex={-1}>
          {t.deleteLogin}
        </h2>
        <p id="delete-help">{t.deleteLoginHelp}</p>
        {!usePassword && stepUp !== 'delete_login' ? (
          mitidLink('delete_login')
        ) : (
          <>
            {stepUp === 'delete_login' && <p className="notice">{x.mitidConfirmed}</p>}
            {usePassword && (
              <>
                <label htmlFor="delete-password">{t.currentPassword}</label>
                <input
                  id="delete-password"
                  type="password"
                  autoComplete="current-password"
                  required
                  aria-describedby="delete-help"
                  value={deletePassword}
                  onChange={(e) => setDeletePassword(e.target.value)}
                  {...deleteAction.field('password')}
                />
              </>
            )}
            <button type="submit" className="danger" disabled={deleteAction.busy}>
              {usePassword ? t.deleteLogin : x.deleteNow}
            </button>
          </>
        )}
        <ActionStatus action={deleteAction} />
      </form>
    </div>
  );
}
