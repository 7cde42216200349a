import { useCallback, useEffect, useState } from 'react';
import { api } from '../api.ts';
import type { ApiResponse } from '../api-schema.ts';
import { ErrorMessage, PageTitle } from '../components.tsx';
import { formatDateTime } from '../format.ts';
import { ThreadView, type ThreadData } from '../functions/ThreadView.tsx';
import { useI18n } from '../i18n.tsx';
import { useActingTexts } from '../texts-acting.ts';

type InboxThread = ApiResponse<'/api/clinics/{clinicId}/econsultations'>['threads'][number];

/** The clinic's e-konsultation inbox: unread counts, read, answer, close. */
export function EconsultationsPage({ clinicId }: { clinicId: string }) {
  const { t, lang } = useI18n();
  const x = useActingTexts();
  const base = `/api/clinics/${clinicId}`;
  const [threads, setThreads] = useState<InboxThread[]>([]);
  const [open, setOpen] = useState<ThreadData | null>(null);
  const [error, setError] = useState<unknown>(null);

  const load = useCallback(
    () =>
      api<{ threads: InboxThread[] }>('GET', `${base}/econsultations`)
        .then((r) => setThreads(r.threads))
        .catch(setError),
    [base],
  );
  useEffect(() => void load(), [load]);
  const openThread = async (id: string) => {
    try {
      setOpen(await api<ThreadData>('GET', `${base}/econsultations/${id}`));
    } catch (caught) {
      setError(caught);
    }
  };
  const close = async (id: string) => {
    await api('POST', `${base}/econsultations/${id}/close`).catch(setError);
    await openThread(id);
  };

  return (
    <>
      <PageTitle>{t.econsultationInbox}</PageTitle>
      <ErrorMessage error={error} />
      {threads.length === 0 && <p>{t.noThreads}</p>}
      {threads.length > 0 && (
        <table>
          <caption className="visually-hidden">{t.econsultationInbox}</caption>
          <thead>
            <tr>
              <th scope="col">{t.subject}</th>
              <th scope="col">{t.patient}</th>
              <th scope="col">{t.status}</th>
              <th scope="col">{t.received}</th>
            </tr>
          </thead>
          <tbody>
            {threads.map((th) => (
              <tr key={th.id}>
                <td>
                  <button type="button" className="link-button" onClick={() => void openThread(th.id)}>
                    {th.subject}
                  </button>
                  {th.unread > 0 && <span className="count">{t.unread(th.unread)}</span>}
                </td>
                <td>
                  {th.patientName}
                  {th.actedBy && <div className="muted">{x.wroteFor(th.actedBy)}</div>}
                </td>
                <td>{th.status === 'closed' ? t.closedThread : ''}</td>
                <td>{formatDateTime(th.lastMessageAt, lang)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open && (
        <>
          <ThreadView
            thread={open}
            side="clinic"
            attachmentBase={`${base}/attachments`}
            replyUrl={`${base}/econsultations/${open.id}/messages`}
            readUrl={`${base}/econsultations/${open.id}/read`}
            onRead={() => void load()}
            onReplied={() => void openThread(open.id)}
          />
          {open.status !== 'closed' && (
            <button type="button" onClick={() => void close(open.id)}>
              {t.closeThread}
            </button>
          )}
        </>
      )}
    </>
  );
}
