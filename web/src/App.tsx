import { useCallback, useEffect, useState } from 'react';
import { api, setCsrfToken, type Session } from './api.ts';
import { LanguageSwitch, PageTitle } from './components.tsx';
import { useI18n } from './i18n.tsx';
import { ClinicSettingsPage } from './pages/ClinicSettingsPage.tsx';
import { LoginPage } from './pages/LoginPage.tsx';
import { BookingAdminPage } from './pages/BookingAdminPage.tsx';
import { EconsultationsPage } from './pages/EconsultationsPage.tsx';
import { RenewalsPage } from './pages/RenewalsPage.tsx';
import { LoginRequestsPage } from './pages/LoginRequestsPage.tsx';
import { PatientRecordPage } from './pages/PatientRecordPage.tsx';
import { PatientsPage } from './pages/PatientsPage.tsx';
import { SetPasswordPage } from './pages/SetPasswordPage.tsx';
import { SupportPage } from './pages/SupportPage.tsx';
import { SystemadgangPage } from './pages/systemadgang/SystemadgangPage.tsx';
import { useIntegrationTexts } from './texts-integrations.ts';
import { PatientApp } from './patient/PatientApp.tsx';
import { Link, navigate, Redirect, useLocation } from './router.tsx';

type SessionState = { status: 'loading' } | { status: 'anonymous' } | { status: 'ready'; session: Session };

export function App() {
  const location = useLocation();
  if (location.path === '/portal' || location.path.startsWith('/portal/')) return <PatientApp path={location.path} />;
  return <StaffApp />;
}

function StaffApp() {
  const { t } = useI18n();
  const integrationTexts = useIntegrationTexts();
  const location = useLocation();
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  const accept = (session: Session) => {
    setCsrfToken(session.csrfToken);
    setState({ status: 'ready', session });
  };

  useEffect(() => {
    // Without a session (401) or without an answer, the login page is what there is to show.
    api<Session>('GET', '/api/session')
      .then(accept)
      .catch(() => setState({ status: 'anonymous' }));
  }, []);

  const [openCount, setOpenCount] = useState(0);
  const refreshCount = useCallback(async () => {
    const r = await api<{ clinics: { open: number }[] }>('GET', '/api/login-requests/summary').catch(() => ({ clinics: [] }));
    setOpenCount(r.clinics.reduce((sum, c) => sum + c.open, 0));
  }, []);
  useEffect(() => {
    if (state.status === 'ready') void refreshCount();
  }, [state, refreshCount, location.path]);

  const logout = async () => {
    await api('POST', '/api/auth/logout').catch(() => undefined);
    setState({ status: 'anonymous' });
    navigate('/login');
  };

  const switchClinic = async (clinicId: string) => {
    accept(await api<Session>('PUT', '/api/session/clinic', { clinicId }));
    navigate('/patients');
  };

  let content;
  if (location.path === '/set-password') {
    content = <SetPasswordPage />;
  } else if (state.status === 'loading') {
    content = <p role="status">{t.loading}</p>;
  } else if (state.status === 'anonymous') {
    content = (
      <LoginPage
        onLogin={(session) => {
          accept(session);
          navigate(session.user.isSupport && !session.activeClinicId ? '/support' : '/patients');
        }}
      />
    );
  } else {
    content = <SignedInPage session={state.session} path={location.path} onRequestsChanged={() => void refreshCount()} />;
  }

  const session = state.status === 'ready' ? state.session : null;
  return (
    <>
      <a className="skip-link" href="#main">
        {t.skipToContent}
      </a>
      <header className="topbar">
        <span className="brand">{t.appName}</span>
        {session && (
          <nav aria-label={t.mainMenu}>
            {session.activeClinicId && <Link href="/patients">{t.patients}</Link>}
            {session.activeClinicId && <Link href="/econsultations">{t.econsultationInbox}</Link>}
            {session.activeClinicId && <Link href="/booking">{t.bookingAdmin}</Link>}
            {session.activeClinicId && <Link href="/renewals">{t.renewalsAdmin}</Link>}
            {session.activeClinicId && <Link href="/systemmanager/e-moduler">{t.eModules}</Link>}
            {session.clinics.some((c) => c.id === session.activeClinicId && c.role === 'admin') && (
              <Link href="/systemmanager/systemadgang">{integrationTexts.menu}</Link>
            )}
            {session.clinics.length > 0 && (
              <Link href="/systemmanager/loginbestillinger">
                {t.loginRequests}
                {openCount > 0 && (
                  <span className="count" aria-label={`(${openCount})`}>
                    {openCount}
                  </span>
                )}
              </Link>
            )}
            {session.user.isSupport && <Link href="/support">{t.supportArea}</Link>}
          </nav>
        )}
        <div className="topbar-right">
          {session && session.clinics.length > 1 && (
            <>
              <label htmlFor="clinic-switch">{t.clinic}</label>
              <select id="clinic-switch" value={session.activeClinicId ?? ''} onChange={(e) => void switchClinic(e.target.value)}>
                {session.clinics.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </select>
            </>
          )}
          {session?.clinics.length === 1 && <span>{session.clinics[0]?.name}</span>}
          {session && <span className="muted">{session.user.name}</span>}
          <LanguageSwitch />
          {session && (
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

function SignedInPage({ session, path, onRequestsChanged }: { session: Session; path: string; onRequestsChanged: () => void }) {
  const { t } = useI18n();
  const clinicId = session.activeClinicId;
  if (path === '/support' && session.user.isSupport) return <SupportPage />;
  if (path === '/' || path === '/login') return <Redirect to={!clinicId && session.user.isSupport ? '/support' : '/patients'} replace />;
  if (!clinicId) return <p>{t.noClinic}</p>;
  if (path === '/systemmanager/loginbestillinger') return <LoginRequestsPage session={session} onChanged={onRequestsChanged} />;
  if (path === '/patients') return <PatientsPage clinicId={clinicId} />;
  if (path === '/econsultations') return <EconsultationsPage key={clinicId} clinicId={clinicId} />;
  if (path === '/booking') return <BookingAdminPage key={clinicId} clinicId={clinicId} />;
  if (path === '/renewals') return <RenewalsPage key={clinicId} clinicId={clinicId} />;
  const isAdmin = session.clinics.find((c) => c.id === clinicId)?.role === 'admin';
  if (path === '/systemmanager/e-moduler') return <ClinicSettingsPage key={clinicId} clinicId={clinicId} isAdmin={isAdmin} />;
  if (path === '/systemmanager/systemadgang') return <SystemadgangPage key={clinicId} clinicId={clinicId} isAdmin={isAdmin} />;
  const patientId = /^\/patients\/([0-9a-f-]{36})$/.exec(path)?.[1];
  if (patientId) return <PatientRecordPage key={`${clinicId}/${patientId}`} clinicId={clinicId} patientId={patientId} />;
  return <PageTitle>{t.notFound}</PageTitle>;
}
