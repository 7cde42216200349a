import { useEffect, useState, type SubmitEvent } from 'react';
import { api } from '../api.ts';
import type { ApiResponse } from '../api-schema.ts';
import { ErrorMessage } from '../components.tsx';
import { ActionStatus, useAction } from '../forms.tsx';
import { navigate } from '../router.tsx';
import { useFuldmagtTexts } from '../texts-fuldmagt.ts';

type Overview = ApiResponse<'/api/patient/fuldmagter'>;
type Right = Overview['given'][number]['functions'][number];
const RIGHTS: Right[] = ['econsultation', 'booking', 'renewal'];

/** "Fuldmagter" in the profile: give one (confirmed with MitID), the ones given (revoke), and those to you (accept, decline, act). */
export function FuldmagtSection({ onChange }: { onChange: () => void }) {
  const x = useFuldmagtTexts();
  const [state, setState] = useState<Overview | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [version, setVersion] = useState(0);
  const reload = () => setVersion((v) => v + 1);
  const [cpr, setCpr] = useState('');
  const [name, setName] = useState('');
  const [clinicIds, setClinicIds] = useState<string[]>([]);
  const [functions, setFunctions] = useState<Right[]>(['econsultation']);
  const [until, setUntil] = useState('');
  const give = useAction();
  const act = useAction();
  useEffect(() => {
    api<Overview>('GET', '/api/patient/fuldmagter').then((s) => {
      setState(s);
      setUntil((u) => u || s.defaultUntil);
    }, setError);
  }, [version]);
  if (!state) return <ErrorMessage error={error} />;
  const toggle = <T,>(list: T[], value: T, on: boolean) => (on ? [...list, value] : list.filter((v) => v !== value));
  const fns = (list: string[]) => list.map((f) => x.fn[f] ?? f).join(', ');

  const draft = (event: SubmitEvent) => {
    event.preventDefault();
    void give.run(async () => {
      await api('POST', '/api/patient/fuldmagter', { receiverCpr: cpr, receiverName: name, clinicIds, functions, until });
      // The server sends the browser to MitID and back to /portal/profile?stepup=give_fuldmagt.
      window.location.assign('/api/mitid/start?purpose=stepup&action=give_fuldmagt');
    });
  };
  const post = (id: string, what: 'confirm' | 'revoke' | 'accept' | 'decline') =>
    void act.run(async () => {
      await api('POST', `/api/patient/fuldmagter/${id}/${what}`);
      reload();
      onChange();
    });
  const actFor = (id: string) =>
    void act.run(async () => {
      await api('PUT', '/api/patient/acting-for', { fuldmagtId: id });
      onChange();
      navigate('/portal');
    });

  return (
    <section className="card" aria-labelledby="fuldmagt-title">
      <h2 id="fuldmagt-title" tabIndex={-1}>
        {x.title}
      </h2>
      <p className="muted">{x.lead}</p>
      <ActionStatus action={act} />
      <h3>{x.received}</h3>
      {!state.mitid && <p className="muted">{x.mitidNeeded}</p>}
      {state.received.length === 0 ? (
        <p>{x.none}</p>
      ) : (
        <ul>
          {state.received.map((f) => (
            <li key={f.id}>
              <strong>{x.receivedLine(f.giverName)}</strong>: {fns(f.functions)}, {f.clinics.map((c) => c.name).join(', ')}, {x.untilLine(f.validUntil)} (
              {x.status[f.status]}){' '}
              {f.status === 'offered' ? (
                <>
                  <button type="button" onClick={() => post(f.id, 'accept')} disabled={act.busy}>
                    {x.accept}
                  </button>{' '}
                  <button type="button" onClick={() => post(f.id, 'decline')} disabled={act.busy}>
                    {x.decline}
                  </button>
                </>
              ) : (
                <>
                  <button type="button" onClick={() => actFor(f.id)} disabled={act.busy}>
                    {x.actFor(f.giverName)}
                  </button>{' '}
                  <button type="button" onClick={() => post(f.id, 'decline')} disabled={act.busy}>
                    {x.giveUp}
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      <h3>{x.given}</h3>
      {state.given.length === 0 ? (
        <p>{x.none}</p>
      ) : (
        <ul>
          {state.given.map((f) => (
            <li key={f.id}>
              <strong>{x.givenLine(f.receiverName, f.receiverCprMasked)}</strong>: {fns(f.functions)}, {f.clinics.map((c) => c.name).join(', ')},{' '}
              {x.untilLine(f.validUntil)} ({x.status[f.status]}){' '}
              {f.status === 'draft' && (
                <button type="button" onClick={() => post(f.id, 'confirm')} disabled={act.busy}>
                  {x.confirm}
                </button>
              )}{' '}
              {['draft', 'offered', 'accepted'].includes(f.status) && (
                <button type="button" onClick={() => post(f.id, 'revoke')} disabled={act.busy}>
                  {x.revoke}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {state.mitid && state.clinics.length > 0 && (
        <form onSubmit={draft} aria-busy={give.busy} aria-labelledby="fuldmagt-give-title">
          <h3 id="fuldmagt-give-title">{x.give}</h3>
          <label htmlFor="fuldmagt-cpr">{x.receiverCpr}</label>
          <input
            id="fuldmagt-cpr"
            inputMode="numeric"
            autoComplete="off"
            required
            value={cpr}
            onChange={(e) => setCpr(e.target.value)}
            {...give.field('receiverCpr')}
          />
          <label htmlFor="fuldmagt-name">{x.receiverName}</label>
          <input id="fuldmagt-name" required value={name} onChange={(e) => setName(e.target.value)} {...give.field('receiverName')} />
          <fieldset>
            <legend>{x.clinics}</legend>
            {state.clinics.map((c) => (
              <div className="check" key={c.id}>
                <input
                  id={`fuldmagt-clinic-${c.id}`}
                  type="checkbox"
                  checked={clinicIds.includes(c.id)}
                  onChange={(e) => setClinicIds(toggle(clinicIds, c.id, e.target.checked))}
                />
                <label htmlFor={`fuldmagt-clinic-${c.id}`}>{c.name}</label>
              </div>
            ))}
          </fieldset>
          <fieldset>
            <legend>{x.functions}</legend>
            {RIGHTS.map((r) => (
              <div className="check" key={r}>
                <input
                  id={`fuldmagt-fn-${r}`}
                  type="checkbox"
                  checked={functions.includes(r)}
                  onChange={(e) => setFunctions(toggle(functions, r, e.target.checked))}
                />
                <label htmlFor={`fuldmagt-fn-${r}`}>{x.fn[r]}</label>
              </div>
            ))}
          </fieldset>
          <label htmlFor="fuldmagt-until">{x.until}</label>
          <input
            id="fuldmagt-until"
            type="date"
            required
            max={state.latestUntil}
            value={until}
            onChange={(e) => setUntil(e.target.value)}
            aria-describedby="fuldmagt-until-hint"
            {...give.field('until')}
          />
          <p id="fuldmagt-until-hint" className="muted">
            {x.untilHint(state.latestUntil)}
          </p>
          <button type="submit" disabled={give.busy || clinicIds.length === 0 || functions.length === 0}>
            {x.next}
          </button>
          <ActionStatus action={give} />
        </form>
      )}
    </section>
  );
}
