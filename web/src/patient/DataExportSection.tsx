import { useCallback, useEffect, useState } from 'react';
import { api } from '../api.ts';
import type { ApiResponse } from '../api-schema.ts';
import { formatDateTime } from '../format.ts';
import { ActionStatus, useAction } from '../forms.tsx';
import { useI18n } from '../i18n.tsx';
import { useExportTexts } from '../texts-export.ts';

type DataExport = NonNullable<ApiResponse<'/api/patient/export'>['export']>;

/** How often the page asks whether a pending export is ready (the worker looks every 2 s). */
const POLL_MS = 2000;

const kilobytes = (bytes: number | null, lang: 'da' | 'en') =>
  `${new Intl.NumberFormat(lang === 'da' ? 'da-DK' : 'en-GB', { maximumFractionDigits: 0 }).format(Math.max(1, (bytes ?? 0) / 1024))} kB`;

/**
 * "Hent mine data" in the profile: ask, watch the state (announced in a live region) and download
 * with the session. The ZIP is built by a background worker; the patient also gets a mail.
 */
export function DataExportSection() {
  const { lang } = useI18n();
  const w = useExportTexts();
  const [current, setCurrent] = useState<DataExport | null>(null);
  const askAction = useAction();

  const load = useCallback(async () => {
    setCurrent((await api<ApiResponse<'/api/patient/export'>>('GET', '/api/patient/export')).export);
  }, []);
  useEffect(() => {
    void load().catch(() => undefined);
  }, [load]);
  // While it is being prepared, look again now and then; stop once it is ready (or failed).
  useEffect(() => {
    if (current?.status !== 'pending') return;
    const timer = setTimeout(() => void load().catch(() => undefined), POLL_MS);
    return () => clearTimeout(timer);
  }, [current, load]);

  const ask = () => {
    void askAction.run(async () => {
      setCurrent((await api<ApiResponse<'/api/patient/export', 'post'>>('POST', '/api/patient/export')).export);
    });
  };

  const status = current?.status;
  const statusText =
    status === 'pending'
      ? w.pending
      : status === 'ready' && current?.expiresAt
        ? w.ready(formatDateTime(current.expiresAt, lang))
        : status === 'expired'
          ? w.expired
          : status === 'failed'
            ? w.failed
            : '';

  return (
    <section className="card" aria-labelledby="export-title">
      <h2 id="export-title">{w.title}</h2>
      <p>{w.intro}</p>
      <p className="muted">{w.mailNotice}</p>
      <p role="status" aria-live="polite" className={statusText ? 'notice' : 'visually-hidden'}>
        {statusText}
      </p>
      {status === 'ready' && current && (
        <p>
          <a className="button-link" href={`/api/patient/export/${current.id}/download`} download>
            {w.download(kilobytes(current.size, lang))}
          </a>
        </p>
      )}
      {status !== 'pending' && (
        <button type="button" onClick={ask} disabled={askAction.busy}>
          {status && status !== 'failed' ? w.askAgain : w.ask}
        </button>
      )}
      <ActionStatus action={askAction} />
    </section>
  );
}
