import { useEffect, useId, useState, type SubmitEvent } from 'react';
import { api } from '../api.ts';
import { ErrorMessage } from '../components.tsx';
import { useSecurityTexts } from '../texts-security.ts';

/**
 * Whether staff must log in with a second factor: a clinic's own requirement (its admins change it)
 * or the platform's (support changes it). The server checks the role; this only hides the button.
 */
export function StaffSecuritySection({ endpoint, scope, canEdit }: { endpoint: string; scope: 'clinic' | 'platform'; canEdit: boolean }) {
  const x = useSecurityTexts();
  const id = useId();
  const [required, setRequired] = useState<boolean | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');

  useEffect(() => {
    api<{ requireStaff2fa: boolean }>('GET', endpoint)
      .then((r) => setRequired(r.requireStaff2fa))
      .catch(setError);
  }, [endpoint]);

  const save = async (event: SubmitEvent) => {
    event.preventDefault();
    setError(null);
    setNotice('');
    try {
      const saved = await api<{ requireStaff2fa: boolean }>('PUT', endpoint, { requireStaff2fa: required });
      setRequired(saved.requireStaff2fa);
      setNotice(x.saved);
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <section aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{x.heading}</h2>
      {required !== null && (
        <form onSubmit={(e) => void save(e)} className="settings">
          <fieldset disabled={!canEdit}>
            <legend className="visually-hidden">{x.heading}</legend>
            <div className="check">
              <input
                id={`${id}-require`}
                type="checkbox"
                checked={required}
                aria-describedby={`${id}-explain`}
                onChange={(e) => setRequired(e.target.checked)}
              />
              <label htmlFor={`${id}-require`}>{scope === 'clinic' ? x.requireClinic : x.requirePlatform}</label>
            </div>
            <p id={`${id}-explain`} className="muted">
              {x.explain}
            </p>
            {canEdit && <button type="submit">{x.save}</button>}
          </fieldset>
        </form>
      )}
      <ErrorMessage error={error} />
      <p role="status" className="notice">
        {notice}
      </p>
    </section>
  );
}
