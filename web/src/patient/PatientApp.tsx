import { useCallback, useEffect, useState } from 'react';
import { api, setCsrfToken } from '../api.ts';
import { LanguageSwitch, PageTitle } from '../components.tsx';
import { useI18n } from '../i18n.tsx';
import { Link, navigate, Redirect, Route, Switch } from '../router.tsx';
import { ConfirmEmailPage } from './ConfirmEmailPage.tsx';
import { ForgotPasswordPage } from './ForgotPasswordPage.tsx';
import { PatientClinicPage, type ClinicFunction } from './PatientClinicPage.tsx';
import { PatientHomePage } from './PatientHomePage.tsx';
import { PatientLoginPage } from './PatientLoginPage.tsx';
import { PatientProfilePage } from './PatientProfilePage.tsx';
import { MyLogPage } from './MyLogPage.tsx';
import { RegisterPage } from './RegisterPage.tsx';
import { TokenPasswordPage } from './TokenPasswordPage.tsx';
import { ActingBanner, AskForChildAccess, ChildrenSection, type ActingForState } from './ActingFor.tsx';

export interface PatientOverview {
  name: string | null;
  email: string | null;
  phone: string | null;
  hasPassword: boolean;
  stepUp: { action: 'delete_login' | 'change_email' | 'give_fuldmagt'; until: string } | null;
  /** The children under 15 this login may act for, and whom it acts for now. */
  acting?: ActingForState;
  clinics: {
    id: string;
    name: string;
    rights: ClinicFunction[];
    wantsElectronicReply: boolean;
    history: ClinicFunction[];
  }[];
}

const PUBLIC = ['/portal/activate', '/portal/reset', '/portal/forgot', '/portal/confirm-email'];
const FUNCTIONS = new Set<string>(['econsultation', 'booking', 'renewal']);

/** The patient's side of the SPA, under /portal. It uses only the patient JSON API. */
export function PatientApp({ path }: { path: string }) {
  const { t } = useI18n();
  const [overview, setOverview] = useState<PatientOverview | null | 'anonymous'>(null);
  const isPublic = PUBLIC.includes(path) || path.startsWith('/portal/register/');

  const load = useCallback(async () => {
    try {
      const session = await api<{ csrfToken: string }>('GET', '/api/patient/session');
      setCsrfToken(session.csrfToken);
      const [own, acting] = await Promise.all([api<PatientOverview>('GET', '/api/patient/me'), api<ActingForState>('GET', '/api/patient/acting-for')]);
      // Acting for a child or under a fuldmagt: that person's clinics and functions, not one's own; none while
      // the session still acts under a fuldmagt that ended (the banner offers the way back).
      const actingClinics = acting.actingFor?.clinics ?? acting.actingForFuldmagt?.clinics ?? (acting.fuldmagtEnded ? [] : undefined);
      const clinics = actingClinics ? actingClinics.map((c) => ({ ...c, wantsElectronicReply: false, history: [] as ClinicFunction[] })) : own.clinics;
      setOverview({ ...own, clinics, acting });
    } catch {
      setOverview('anonymous');
    }
  }, []);
  useEffect(() => {
    if (!isPublic) void load();
  }, [load, isPublic, path]);

  const logout = async () => {
    await api('POST', '/api/patient/logout').catch(() => undefined);
    setOverview('anonymous');
    navigate('/portal/login');
  };

  const signedIn = overview !== null && overview !== 'anonymous' && !isPublic;
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
      <main id="main">
        <Switch>
          <Route path="/portal/activate">
            <TokenPasswordPage kind="activation" />
          </Route>
          <Route path="/portal/reset">
            <TokenPasswordPage kind="reset" />
          </Route>
          <Route path="/portal/forgot">
            <ForgotPasswordPage />
          </Route>
          <Route path="/portal/confirm-email">
            <ConfirmEmailPage />
          </Route>
          <Route path="/portal/register/:slug">{(params) => <RegisterPage slug={params.slug} onApproved={() => void load()} />}</Route>
          <Route>
            {overview === null ? (
              <p role="status">{t.loading}</p>
            ) : overview === 'anonymous' ? (
              <PatientLoginPage onLogin={() => void load().then(() => navigate('/portal'))} />
            ) : (
              <SignedIn
                overview={overview}
                reload={() => void load()}
                onDeleted={() => {
                  setOverview('anonymous');
                  navigate('/portal/login');
                }}
              />
            )}
          </Route>
        </Switch>
      </main>
    </>
  );
}

function SignedIn({ overview, reload, onDeleted }: { overview: PatientOverview; reload: () => void; onDeleted: () => void }) {
  const { t } = useI18n();
  const clinicPage = (id: string, fn: string | null) => {
    const clinic = overview.clinics.find((c) => c.id === id);
    if (!clinic || (fn !== null && !FUNCTIONS.has(fn))) return <PageTitle>{t.notFound}</PageTitle>;
    return <PatientClinicPage key={clinic.id} clinic={clinic} fn={fn as ClinicFunction | null} />;
  };
  return (
    <>
      {overview.acting && <ActingBanner state={overview.acting} onChange={reload} />}
      <SignedInRoutes overview={overview} reload={reload} onDeleted={onDeleted} clinicPage={clinicPage} />
    </>
  );
}

function SignedInRoutes({
  overview,
  reload,
  onDeleted,
  clinicPage,
}: {
  overview: PatientOverview;
  reload: () => void;
  onDeleted: () => void;
  clinicPage: (id: string, fn: string | null) => React.ReactNode;
}) {
  const { t } = useI18n();
  return (
    <Switch>
      <Route path="/portal/profile">
        <PatientProfilePage overview={overview} onChange={reload} onDeleted={onDeleted} />
      </Route>
      <Route path="/portal/min-log">
        <MyLogPage />
      </Route>
      <Route path="/portal">
        <PatientHomePage overview={overview} />
        {overview.acting && <ChildrenSection state={overview.acting} onChange={reload} />}
        {overview.acting && <AskForChildAccess state={overview.acting} clinics={overview.clinics} />}
      </Route>
      <Route path="/portal/login">
        <Redirect to="/portal" replace />
      </Route>
      <Route path="/portal/clinics/:id">{(p) => clinicPage(p.id, null)}</Route>
      <Route path="/portal/clinics/:id/:fn">{(p) => clinicPage(p.id, p.fn)}</Route>
      <Route>
        <PageTitle>{t.notFound}</PageTitle>
      </Route>
    </Switch>
  );
}
