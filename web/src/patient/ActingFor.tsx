import { useState } from 'react';
import { api } from '../api.ts';
import type { ApiResponse } from '../api-schema.ts';
import { ErrorMessage } from '../components.tsx';
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
