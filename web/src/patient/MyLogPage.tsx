import { useCallback, useEffect, useState } from 'react';
import { api } from '../api.ts';
import { ErrorMessage, PageTitle } from '../components.tsx';
import { formatDateTime } from '../format.ts';
import { useI18n } from '../i18n.tsx';

interface Entry {
  id: number;
  at: string;
  clinic: string | null;
  who: { name: string; role: { da: string; en: string } | null } | null;
  kind: 'clinic' | 'own';
  text: { da: string; en: string };
}

const WORDS = {
  da: {
    title: 'Min log',
    intro:
      'Her kan du se, hvem på dine klinikker der har set eller ændret dine oplysninger i Patientportal, og hvornår du selv har logget ind eller ændret dit login. Nyeste først.',
    empty: 'Der er ingen hændelser endnu.',
    more: 'Vis flere',
    you: 'Dig',
    when: 'Tidspunkt',
    where: 'Klinik',
    who: 'Hvem',
    what: 'Hvad',
  },
  en: {
    title: 'My log',
    intro: 'Who at your clinics viewed or changed your Patientportal data, and when you logged in or changed your login. Newest first.',
    empty: 'Nothing yet.',
    more: 'Show more',
    you: 'You',
    when: 'When',
    where: 'Clinic',
    who: 'Who',
    what: 'What',
  },
};

/** "Min log": every staff read and change of the patient's data, and the patient's own security events. */
export function MyLogPage() {
  const { lang } = useI18n();
  const w = WORDS[lang];
  const [entries, setEntries] = useState<Entry[]>([]);
  const [nextBefore, setNextBefore] = useState<number | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const load = useCallback(async (before: number | null) => {
    try {
      const page = await api<{ entries: Entry[]; nextBefore: number | null }>('GET', `/api/patient/my-log${before ? `?before=${before}` : ''}`);
      setEntries((shown) => (before ? [...shown, ...page.entries] : page.entries));
      setNextBefore(page.nextBefore);
      setError(null);
    } catch (caught) {
      setError(caught);
    } finally {
      setLoaded(true);
    }
  }, []);
  useEffect(() => {
    void load(null);
  }, [load]);

  return (
    <>
      <PageTitle>{w.title}</PageTitle>
      <p>{w.intro}</p>
      <ErrorMessage error={error} />
      {loaded && entries.length === 0 && !error && <p>{w.empty}</p>}
      {entries.length > 0 && (
        <ol className="my-log" aria-label={w.title}>
          {entries.map((entry) => (
            <li key={entry.id} data-kind={entry.kind}>
              <time dateTime={entry.at}>{formatDateTime(entry.at, lang)}</time> {entry.clinic && <span className="muted">{entry.clinic}: </span>}
              <strong>{entry.who ? entry.who.name : w.you}</strong>
              {entry.who?.role && <span className="muted"> ({entry.who.role[lang]})</span>} {entry.text[lang]}
            </li>
          ))}
        </ol>
      )}
      {nextBefore !== null && (
        <button type="button" onClick={() => void load(nextBefore)}>
          {w.more}
        </button>
      )}
    </>
  );
}
