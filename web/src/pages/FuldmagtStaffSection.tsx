import { useEffect, useState } from 'react';
import { api } from '../api.ts';
import type { ApiResponse } from '../api-schema.ts';
import { ErrorMessage } from '../components.tsx';
import { useFuldmagtTexts } from '../texts-fuldmagt.ts';

type Fuldmagter = ApiResponse<'/api/clinics/{clinicId}/patients/{patientId}/fuldmagter'>;

/** On the patient record: who may act for the patient here under a fuldmagt, with what, until when. */
export function FuldmagtStaffSection({ clinicId, patientId }: { clinicId: string; patientId: string }) {
  const x = useFuldmagtTexts();
  const [state, setState] = useState<Fuldmagter | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api<Fuldmagter>('GET', `/api/clinics/${clinicId}/patients/${patientId}/fuldmagter`).then(setState, setError);
  }, [clinicId, patientId]);
  if (!state) return <ErrorMessage error={error} />;
  return (
    <section aria-labelledby="fuldmagter-title">
      <h2 id="fuldmagter-title">{x.staffTitle}</h2>
      {state.fuldmagter.length === 0 ? (
        <p className="muted">{x.staffNone}</p>
      ) : (
        <ul>
          {state.fuldmagter.map((f, i) => (
            <li key={i}>{x.staffLine(f.receiverName, f.functions.map((fn) => x.fn[fn] ?? fn).join(', '), f.validUntil, f.status === 'offered')}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
