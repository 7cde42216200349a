import { useCallback, useEffect, useRef, useState, type SubmitEvent } from 'react';
import { api } from '../api.ts';
import { ErrorMessage } from '../components.tsx';
import { filesToBase64 } from '../files.ts';
import { ActionStatus, useAction } from '../forms.tsx';
import { formatDateTime } from '../format.ts';
import { ThreadView, type ThreadData } from '../functions/ThreadView.tsx';
import { useI18n } from '../i18n.tsx';
import { Link, navigate, useLocation } from '../router.tsx';
import { useTexts } from '../texts-everyday.ts';
import { FilePicker } from './FilePicker.tsx';

export interface Threads {
  canWrite: boolean;
  maxLength: number;
  custodyNotice: boolean;
  threads: { id: string; subject: string; status: string; lastMessageAt: string; unread: number }[];
}

/** e-konsultation: the thread list with unread markers, one thread (?thread=id), a composer. */
export function EconsultationPage({ apiBase, pageHref }: { apiBase: string; pageHref: string }) {
  const { t, lang } = useI18n();
  const x = useTexts();
  const threadId = useLocation().search.get('thread');
  const [threads, setThreads] = useState<Threads | null>(null);
  // A refusal (a right taken away, a fuldmagt revoked) is shown, not left as "Henter…".
  const [loadError, setLoadError] = useState<unknown>(null);
  const [open, setOpen] = useState<ThreadData | null>(null);
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [files, setFiles] = useState<FileList | null>(null);
  const [pickerKey, setPickerKey] = useState(0);
  const start = useAction();
  const composer = useRef<HTMLInputElement>(null);

  const loadList = useCallback(() => api<Threads>('GET', `${apiBase}/econsultations`).then(setThreads, setLoadError), [apiBase]);
  const loadThread = useCallback(async (id: string) => setOpen(await api<ThreadData>('GET', `${apiBase}/econsultations/${id}`)), [apiBase]);
  useEffect(() => void loadList(), [loadList]);
  useEffect(() => {
    setOpen(null);
    if (threadId) void loadThread(threadId).catch(() => undefined);
  }, [threadId, loadThread]);

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    void start.run(async () => {
      const attachments = await filesToBase64(files);
      const { id } = await api<{ id: string }>('POST', `${apiBase}/econsultations`, { subject, body, ...(attachments.length ? { attachments } : {}) });
      setSubject('');
      setBody('');
      setFiles(null);
      setPickerKey((k) => k + 1);
      await loadList();
      navigate(`${pageHref}?thread=${id}`);
      return x.sent;
    });
  };

  if (!threads) return loadError ? <ErrorMessage error={loadError} /> : <p role="status">{t.loading}</p>;
  return (
    <>
      {threads.custodyNotice && <p className="banner banner-yellow">{t.custodyNotice}</p>}
      {!threads.canWrite && <p className="muted">{x.readOnly}</p>}
      {open ? (
        <>
          <p className="back">
            <Link href={pageHref}>← {x.backToThreads}</Link>
          </p>
          <ThreadView
            thread={open}
            side="patient"
            attachmentBase={`${apiBase}/attachments`}
            replyUrl={threads.canWrite ? `${apiBase}/econsultations/${open.id}/messages` : null}
            readUrl={`${apiBase}/econsultations/${open.id}/read`}
            onRead={() => void loadList()}
            maxLength={threads.maxLength}
            onReplied={() => void loadThread(open.id)}
          />
        </>
      ) : (
        <>
          <section aria-labelledby="threads-title" className="card">
            <h2 id="threads-title">{x.threads}</h2>
            {threads.threads.length === 0 && <p>{t.noThreads}</p>}
            <ul className="rows threads">
              {threads.threads.map((th) => (
                <li key={th.id} className={th.unread > 0 ? 'unread' : undefined}>
                  <Link href={`${pageHref}?thread=${th.id}`}>
                    <span className="subject">{th.subject}</span>
                    <span className="muted">{formatDateTime(th.lastMessageAt, lang)}</span>
                    {th.unread > 0 && (
                      <span className="badge">
                        <span aria-hidden="true">
                          {x.newBadge} {th.unread}
                        </span>
                        <span className="visually-hidden">{x.unreadCount(th.unread)}</span>
                      </span>
                    )}
                  </Link>
                </li>
              ))}
            </ul>
          </section>
          {threads.canWrite && (
            <form onSubmit={submit} aria-busy={start.busy} className="card" aria-labelledby="new-thread-title">
              <h2 id="new-thread-title">{x.newThread}</h2>
              <label htmlFor="new-subject">{t.subject}</label>
              <input
                id="new-subject"
                ref={composer}
                required
                maxLength={120}
                value={subject}
                onChange={(e) => setSubject(e.target.value)}
                {...start.field('subject')}
              />
              <label htmlFor="new-body">{t.message}</label>
              <textarea
                id="new-body"
                required
                maxLength={threads.maxLength}
                rows={5}
                value={body}
                aria-describedby="new-body-count"
                onChange={(e) => setBody(e.target.value)}
                {...start.field('body')}
              />
              <p id="new-body-count" className="muted char-count">
                {x.charsLeft(threads.maxLength - body.length, threads.maxLength)}
              </p>
              <FilePicker key={pickerKey} id="new-files" onChange={setFiles} />
              <button type="submit" className="primary" disabled={start.busy}>
                {t.send}
              </button>
              <ActionStatus action={start} />
            </form>
          )}
        </>
      )}
    </>
  );
}
