import { useEffect, useRef, type ReactNode } from 'react';
import { ApiError } from './api.ts';
import { useI18n } from './i18n.tsx';

/** An error from the API in the user's language, announced to screen readers. */
export function ErrorMessage({ error }: { error: unknown }) {
  const { lang } = useI18n();
  if (!error) return null;
  const text = error instanceof ApiError ? error.body.message[lang] : lang === 'da' ? 'Der opstod en fejl.' : 'Something went wrong.';
  return (
    <p role="alert" className="error">
      {text}
    </p>
  );
}

/** Page heading that takes focus when the page changes, so screen readers announce the new page. */
export function PageTitle({ children }: { children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
    document.title = `${typeof children === 'string' ? children : ''} – Patientportal`;
  }, [children]);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}

export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <button type="button" className="link-button" lang={lang === 'da' ? 'en' : 'da'} onClick={() => setLang(lang === 'da' ? 'en' : 'da')}>
      {t.otherLanguage}
    </button>
  );
}
