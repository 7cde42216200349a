import { Link } from '../router.tsx';
import { useState, type SubmitEvent } from 'react';
import { api } from '../api.ts';
import { ErrorMessage, PageTitle } from '../components.tsx';
import { useI18n } from '../i18n.tsx';
import type { PatientOverview } from './PatientApp.tsx';

export function PatientProfilePage({ overview, onChange, onDeleted }: { overview: PatientOverview; onChange: () => void; onDeleted: () => void }) {
  const { t, lang } = useI18n();
  const [phone, setPhone] = useState(overview.phone ?? '');
  const [newEmail, setNewEmail] = useState('');
  const [emailPassword, setEmailPassword] = useState('');
  const [deletePassword, setDeletePassword] = useState('');
  const [notice, setNotice] = useState('');
  const [error, setError] = useState<unknown>(null);

  const run = async (event: SubmitEvent, action: () => Promise<unknown>, message: string) => {
    event.preventDefault();
    setError(null);
    setNotice('');
    try {
      await action();
      setNotice(message);
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <div className="narrow">
      <PageTitle>{t.profile}</PageTitle>
      <p>
        <Link href="/portal/min-log">{lang === 'da' ? 'Min log: hvem har set mine oplysninger?' : 'My log: who has viewed my data?'}</Link>
      </p>
      <p>
        {t.email}: <strong>{overview.email}</strong>
      </p>
      <ErrorMessage error={error} />
      <p role="status" className="notice">
        {notice}
      </p>
      <form onSubmit={(e) => void run(e, () => api('PUT', '/api/patient/me/phone', { phone: phone || null }).then(onChange), t.saved)}>
        <label htmlFor="phone">{t.phoneLabel}</label>
        <input id="phone" type="tel" autoComplete="tel" value={phone} onChange={(e) => setPhone(e.target.value)} />
        <button type="submit">{t.save}</button>
      </form>
      <form onSubmit={(e) => void run(e, () => api('POST', '/api/patient/me/email', { newEmail, password: emailPassword }), t.emailChangeSent)}>
        <h2>{t.changeEmail}</h2>
        <label htmlFor="new-email">{t.newEmail}</label>
        <input id="new-email" type="email" autoComplete="email" required value={newEmail} onChange={(e) => setNewEmail(e.target.value)} />
        <label htmlFor="email-password">{t.currentPassword}</label>
        <input
          id="email-password"
          type="password"
          autoComplete="current-password"
          required
          value={emailPassword}
          onChange={(e) => setEmailPassword(e.target.value)}
        />
        <button type="submit">{t.changeEmail}</button>
      </form>
      <form onSubmit={(e) => void run(e, () => api('DELETE', '/api/patient/me', { password: deletePassword }).then(onDeleted), t.loginDeleted)}>
        <h2>{t.deleteLogin}</h2>
        <p id="delete-help">{t.deleteLoginHelp}</p>
        <label htmlFor="delete-password">{t.currentPassword}</label>
        <input
          id="delete-password"
          type="password"
          autoComplete="current-password"
          required
          aria-describedby="delete-help"
          value={deletePassword}
          onChange={(e) => setDeletePassword(e.target.value)}
        />
        <button type="submit" className="danger">
          {t.deleteLogin}
        </button>
      </form>
    </div>
  );
}
