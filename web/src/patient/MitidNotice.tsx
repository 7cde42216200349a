import { useI18n } from '../i18n.tsx';

/** Explains a ?mitid=<code> that the MitID callback redirected back with. */
export function MitidNotice() {
  const { t } = useI18n();
  const code = new URLSearchParams(window.location.search).get('mitid');
  if (!code) return null;
  return (
    <p role="alert" className="error">
      {t.mitidErrors[code] ?? t.mitidErrors.mitid_failed}
    </p>
  );
}
