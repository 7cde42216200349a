import { useEffect, useState, type SubmitEvent } from 'react';
import { api } from '../api.ts';
import type { ApiResponse } from '../api-schema.ts';
import { ErrorMessage } from '../components.tsx';
import { useActingTexts } from '../texts-acting.ts';
import { useTexts } from '../texts-everyday.ts';

type ParentAccess = ApiResponse<'/api/clinics/{clinicId}/patients/{patientId}/parent-access'>;
type Right = ParentAccess['rights'][number];
const RIGHTS: Right[] = ['econsultation', 'booking', 'renewal'];

/** "Forældreadgang" in the child's Patientportal form: the functions custody holders may use for the child. */
export function ParentAccessSection({ clinicId, patientId }: { clinicId: string; patientId: string }) {
  const x = useActingTexts();
  const fn = useTexts();
  const url = `/api/clinics/${clinicId}/patients/${patientId}/parent-access`;
  const [state, setState] = useState<ParentAccess | null>(null);
  const [rights, setRights] = useState<Right[]>(RIGHTS);
  const [error, setError] = useState<unknown>(null);
  const [version, setVersion] = useState(0);
  const load = () => setVersion((v) => v + 1);
  useEffect(() => {
    api<ParentAccess>('GET', url).then((s) => {
      setState(s);
      if (s.active) setRights(s.rights);
    }, setError);
  }, [url, version]);
  const save = async (event: SubmitEvent) => {
    event.preventDefault();
    setError(null);
    try {
      await api('PUT', url, { rights, wantsElectronicReply: state?.wantsElectronicReply ?? true });
      load();
    } catch (caught) {
      setError(caught);
    }
  };
  const end = async () => {
    setError(null);
    await api('DELETE', url).then(load, setError);
  };
  return (
    <section aria-labelledby="parent-access-title">
      <h3 id="parent-access-title">{x.parentAccess}</h3>
      <p className="muted">{x.parentAccessLead}</p>
      {state?.active && <p role="status">{x.parentAccessOn(state.holders)}</p>}
      <ErrorMessage error={error} />
      <form onSubmit={(e) => void save(e)}>
        <fieldset>
          <legend>{x.parentAccess}</legend>
          {RIGHTS.map((r) => (
            <div className="check" key={r}>
              <input
                id={`parent-right-${r}`}
                type="checkbox"
                checked={rights.includes(r)}
                onChange={(e) => setRights(e.target.checked ? [...rights, r] : rights.filter((other) => other !== r))}
              />
              <label htmlFor={`parent-right-${r}`}>{fn.fnTitle[r]}</label>
            </div>
          ))}
        </fieldset>
        <button type="submit">{state?.active ? x.saveParentAccess : x.grantParentAccess}</button>{' '}
        {state?.active && (
          <button type="button" onClick={() => void end()}>
            {x.endParentAccess}
          </button>
        )}
      </form>
    </section>
  );
}
