import { useState, type SubmitEvent } from 'react';
import { api } from '../api.ts';
import type { ApiResponse } from '../api-schema.ts';
import { ErrorMessage } from '../components.tsx';
import { ActionStatus, useAction } from '../forms.tsx';
import { navigate } from '../router.tsx';
import { useActingTexts } from '../texts-acting.ts';
import { useFuldmagtTexts } from '../texts-fuldmagt.ts';

export type ActingForState = ApiResponse<'/api/patient/acting-for'>;

/** "Dine børn under 15" on the home page: a button per child the parent may act for now. */
export function ChildrenSection({ state, onChange }: { state: ActingForState; onChange: () => void }) {
  const x = useActingTexts();
  const [error, setError] = useState<unknown>(null);
  if (state.children.length === 0 || state.actingFor || state.actingForFuldmagt) return null;
  const switchTo = async (childId: string) => {
    setError(null);
    try {
      await api('PUT', '/api/patient/acting-for', { childId });
      onChange();
      navigate('/portal');
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <section aria-labelledby="children-title">
      <h2 id="children-title">{x.yourChildren}</h2>
      <ErrorMessage error={error} />
      <ul className="functions">
        {state.children.map((child) => (
          <li key={child.childId}>
            <strong>{x.childLine(child.name, child.age)}</strong>{' '}
            {child.status === 'available' ? (
              <button type="button" onClick={() => void switchTo(child.childId)}>
                {x.actFor(child.givenName)}
              </button>
            ) : (
              <span className="muted">{child.status === 'turned_15' ? x.turned15(child.givenName) : x.custodyUnavailable}</span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The banner while acting for a child, on every page, with the way back. */
export function ActingBanner({ state, onChange }: { state: ActingForState; onChange: () => void }) {
  const x = useActingTexts();
  const f = useFuldmagtTexts();
  if (!state.actingFor && !state.actingForFuldmagt && !state.fuldmagtEnded) return null;
  const back = async () => {
    await api('PUT', '/api/patient/acting-for', { childId: null });
    onChange();
    navigate('/portal');
  };
  return (
    <div className="notice acting-banner" role="status">
      <strong>
        {state.actingFor
          ? x.actingFor(state.actingFor.givenName, state.actingFor.age)
          : state.actingForFuldmagt
            ? f.actingFor(state.actingForFuldmagt.giverName)
            : f.actingEnded(state.fuldmagtEnded?.giverName ?? '')}
      </strong>{' '}
      <button type="button" onClick={() => void back()}>
        {x.backToSelf}
      </button>
    </div>
  );
}

/**
 * "Anmod om forældreadgang": a MitID-logged-in parent asks one of their own clinics for a child's
 * access. The child's CPR number goes in the POST body; the request waits in Loginbestillinger.
 */
export function AskForChildAccess({ state, clinics }: { state: ActingForState; clinics: { id: string; name: string }[] }) {
  const x = useActingTexts();
  const action = useAction();
  const [form, setForm] = useState({ clinicId: clinics[0]?.id ?? '', childCpr: '', childName: '' });
  if (!state.mitid || state.actingFor || clinics.length === 0) return null;
  const send = (event: SubmitEvent) => {
    event.preventDefault();
    const name = form.childName.trim().split(/\s+/)[0] ?? form.childName;
    void action.run(async () => {
      const answer = await api<{ alreadyOpen: boolean }>('POST', '/api/patient/child-access-requests', form);
      setForm({ ...form, childCpr: '', childName: '' });
      return answer.alreadyOpen ? x.askAlreadyOpen(name) : x.askSent(name);
    });
  };
  return (
    <section aria-labelledby="ask-child-title">
      <h2 id="ask-child-title">{x.askTitle}</h2>
      <p>{x.askLead}</p>
      <form className="narrow" onSubmit={send}>
        <label htmlFor="ask-clinic">{x.askClinic}</label>
        <select id="ask-clinic" {...action.field('clinicId')} value={form.clinicId} onChange={(e) => setForm({ ...form, clinicId: e.target.value })}>
          {clinics.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
        <label htmlFor="ask-child-cpr">{x.childCpr}</label>
        <input
          id="ask-child-cpr"
          {...action.field('childCpr')}
          inputMode="numeric"
          autoComplete="off"
          required
          value={form.childCpr}
          onChange={(e) => setForm({ ...form, childCpr: e.target.value })}
        />
        <label htmlFor="ask-child-name">{x.childName}</label>
        <input
          id="ask-child-name"
          {...action.field('childName')}
          autoComplete="off"
          required
          value={form.childName}
          onChange={(e) => setForm({ ...form, childName: e.target.value })}
        />
        <button type="submit" disabled={action.busy}>
          {x.askSend}
        </button>
        <ActionStatus action={action} />
      </form>
    </section>
  );
}
