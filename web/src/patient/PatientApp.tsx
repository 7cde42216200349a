import { useCallback, useEffect, useState, type ReactElement } from 'react';
import { api, setCsrfToken } from '../api.ts';
import { LanguageSwitch, PageTitle } from '../components.tsx';
import { useI18n } from '../i18n.tsx';
import { Link, navigate } from '../router.tsx';
import { ConfirmEmailPage } from './ConfirmEmailPage.tsx';
import { ForgotPasswordPage } from './ForgotPasswordPage.tsx';
import { PatientClinicPage } from './PatientClinicPage.tsx';
import { PatientHomePage } from './PatientHomePage.tsx';
import { PatientLoginPage } from './PatientLoginPage.tsx';
import { PatientProfilePage } from './PatientProfilePage.tsx';
import { MyLogPage } from './MyLogPage.tsx';
import { RegisterPage } from './RegisterPage.tsx';
import { TokenPasswordPage } from './TokenPasswordPage.tsx';

export interface PatientOverview {
  name: string | null;
  email: string | null;
  phone: string | null;
  clinics: { id: string; name: string; rights: ('econsultation' | 'booking' | 'renewal')[]; wantsElectronicReply: boolean }[];
}

const PUBLIC_PAGES: Record<string, () => ReactElement> = {
  '/portal/activate': () => <TokenPasswordPage kind="activation" />,
  '/portal/reset': () => <TokenPasswordPage kind="reset" />,
  '/portal/forgot': () => <ForgotPasswordPage />,
  '/portal/confirm-email': () => <ConfirmEmailPage />,
};

/** The patient's side of the SPA, under /portal. It uses only the patient JSON API. */
export function PatientApp({ path }: { path: string }) {
  const { t } = useI18n();
  const [overview, setOverview] = useState<PatientOverview | null | 'anonymous'>(null);

  const load = useCallback(async () => {
    try {
      const session = await api<{ csrfToken: string }>('GET', '/api/patient/session');
      setCsrfToken(session.csrfToken);
      setOverview(await api<PatientOverview>('GET', '/api/patient/me'));
    } catch {
      setOverview('anonymous');
    }
  }, []);
  useEffect(() => {
    if (!PUBLIC_PAGES[path] && !path.startsWith('/portal/register/')) void load();
  }, [load, path]);

  const logout = async () => {
    await api('POST', '/api/patient/logout').catch(() => undefined);
    setOverview('anonymous');
    navigate('/portal/login');
  };

  let content: ReactElement;
  const clinicId = /^\/portal\/clinics\/([0-9a-f-]{36})$/.exec(path)?.[1];
  const clinic = clinicId !== undefined && overview !== null && overview !== 'anonymous' ? overview.clinics.find((c) => c.id === clinicId) : undefined;
  const registerSlug = /^\/portal\/register\/([^/]+)$/.exec(path)?.[1];
  const publicPage = registerSlug ? () => <RegisterPage slug={decodeURIComponent(registerSlug)} onApproved={() => void load()} /> : PUBLIC_PAGES[path];
  if (publicPage) content = publicPage();
  else if (overview === null) content = <p role="status">{t.loading}</p>;
  else if (overview === 'anonymous') content = <PatientLoginPage onLogin={() => void load().then(() => navigate('/portal'))} />;
  else if (path === '/portal/profile')
    content = (
      <PatientProfilePage
        overview={overview}
        onChange={() => void load()}
        onDeleted={() => {
          setOverview('anonymous');
          navigate('/portal/login');
        }}
      />
    );
  else if (path === '/portal/min-log') content = <MyLogPage />;
  else if (path === '/portal' || path === '/portal/login') content = <PatientHomePage overview={overview} />;
  else if (clinic) content = <PatientClinicPage key={clinic.id} clinicId={clinic.id} clinicName={clinic.name} />;
  else content = <PageTitle>{t.notFound}</PageTitle>;

  const signedIn = overview !== null && overview !== 'anonymous' && !publicPage;
  return (
    <>
      <a className="skip-link" href="#main">
        {t.skipToContent}
      </a>
      <header className="topbar">
        <span className="brand">{t.appName}</span>
        {signedIn && (
          <nav aria-label={t.mainMenu}>
            <Link href="/portal">{t.portalHome}</Link>
            <Link href="/portal/profile">{t.profile}</Link>
          </nav>
        )}
        <div className="topbar-right">
          <LanguageSwitch />
          {signedIn && (
            <button type="button" onClick={() => void logout()}>
              {t.logout}
            </button>
          )}
        </div>
      </header>
      <main id="main">{content}</main>
    </>
  );
}
