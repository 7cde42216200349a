import { useCallback, useEffect, useState, type SubmitEvent } from 'react';
import { api } from '../api.ts';
import { ErrorMessage } from '../components.tsx';
import { useI18n } from '../i18n.tsx';
import type { ApiResponse } from '../api-schema.ts';

type Medication = ApiResponse<'/api/clinics/{clinicId}/patients/{patientId}/medications'>['medications'][number];

/** The patient's medication list on the record; each item marked renewable online or not. */
export function MedicationsSection({ clinicId, patientId }: { clinicId: string; patientId: string }) {
  const { t } = useI18n();
  const url = `/api/clinics/${clinicId}/patients/${patientId}/medications`;
  const [rows, setRows] = useState<Medication[]>([]);
  const [form, setForm] = useState({ name: '', dosage: '', habitForming: false, renewableOnline: true });
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(
    () =>
      api<{ medications: Medication[] }>('GET', url)
        .then((r) => setRows(r.medications))
        .catch(setError),
    [url],
  );
  useEffect(() => void load(), [load]);
  const add = async (event: SubmitEvent) => {
    event.preventDefault();
    setError(null);
    try {
      await api('POST', url, form);
      setForm({ name: '', dosage: '', habitForming: false, renewableOnline: true });
      void load();
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <section aria-labelledby="medications-title" className="card portal-form">
      <h2 id="medications-title">{t.medications}</h2>
      {rows.length === 0 && <p>{t.noMedications}</p>}
      <ul className="functions">
        {rows.map((m) => (
          <li key={m.id}>
            <strong>{m.name}</strong> {m.dosage} · {m.renewableOnline ? t.renewableOnline : t.notRenewableOnline}
            {m.habitForming && ` · ${t.habitForming}`}
            {m.renewalStatus && ` · ${t.renewalStates[m.renewalStatus]}`}
          </li>
        ))}
      </ul>
      <form onSubmit={(e) => void add(e)}>
        <h3>{t.addMedication}</h3>
        <label htmlFor="med-name">{t.medicationName}</label>
        <input id="med-name" required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        <label htmlFor="med-dosage">{t.dosage}</label>
        <input id="med-dosage" value={form.dosage} onChange={(e) => setForm({ ...form, dosage: e.target.value })} />
        <div className="check">
          <input
            id="med-habit"
            type="checkbox"
            checked={form.habitForming}
            onChange={(e) => setForm({ ...form, habitForming: e.target.checked, renewableOnline: e.target.checked ? false : form.renewableOnline })}
          />
          <label htmlFor="med-habit">{t.habitForming}</label>
        </div>
        <div className="check">
          <input
            id="med-renewable"
            type="checkbox"
            checked={form.renewableOnline}
            disabled={form.habitForming}
            onChange={(e) => setForm({ ...form, renewableOnline: e.target.checked })}
          />
          <label htmlFor="med-renewable">{t.renewableOnline}</label>
        </div>
        <ErrorMessage error={error} />
        <button type="submit">{t.addMedication}</button>
      </form>
    </section>
  );
}
