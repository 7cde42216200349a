import { useRef, useState, type SubmitEvent } from 'react';
import { api } from '../api.ts';
import { ErrorMessage } from '../components.tsx';
import { filesToBase64 } from '../files.ts';
import { formatDateTime } from '../format.ts';
import { useI18n } from '../i18n.tsx';

export interface ThreadData {
  id: string;
  subject: string;
  status: string;
  messages: {
    id: string;
    sender: 'patient' | 'clinic';
    body: string;
    createdAt: string;
    staffName: string | null;
    attachments: { id: string; filename: string; contentType: string; size: number }[];
  }[];
}

/** One e-konsultation thread, for either side; `replyUrl` null means reading only. */
export function ThreadView(props: {
  thread: ThreadData;
  side: 'patient' | 'clinic';
  attachmentBase: string;
  replyUrl: string | null;
  maxLength?: number;
  onReplied: () => void;
}) {
  const { t, lang } = useI18n();
  const [body, setBody] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const files = useRef<HTMLInputElement>(null);
  const own = (sender: string) => sender === props.side;

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (!props.replyUrl || busy) return;
    setBusy(true);
    setError(null);
    try {
      const attachments = props.side === 'patient' ? await filesToBase64(files.current?.files ?? null) : undefined;
      await api('POST', props.replyUrl, { body, ...(attachments?.length ? { attachments } : {}) });
      setBody('');
      if (files.current) files.current.value = '';
      props.onReplied();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby={`thread-${props.thread.id}`} className="card">
      <h2 id={`thread-${props.thread.id}`}>{props.thread.subject}</h2>
      <ol className="messages">
        {props.thread.messages.map((m) => (
          <li key={m.id} className={own(m.sender) ? 'own' : 'other'}>
            <p className="muted">
              {m.sender === 'patient'
                ? props.side === 'patient'
                  ? t.you
                  : t.patient
                : props.side === 'clinic'
                  ? (m.staffName ?? t.clinicSender)
                  : t.clinicSender}{' '}
              · {formatDateTime(m.createdAt, lang)}
            </p>
            <p className="body">{m.body}</p>
            {m.attachments.map((a) => (
              <p key={a.id}>
                <a href={`${props.attachmentBase}/${a.id}`}>{a.filename}</a> <span className="muted">({Math.ceil(a.size / 1024)} kB)</span>
              </p>
            ))}
          </li>
        ))}
      </ol>
      {props.thread.status === 'closed' && <p className="muted">{t.closedThread}</p>}
      {props.replyUrl && props.thread.status !== 'closed' && (
        <form onSubmit={(e) => void submit(e)} aria-busy={busy}>
          <label htmlFor={`reply-${props.thread.id}`}>{t.answer}</label>
          <textarea id={`reply-${props.thread.id}`} required maxLength={props.maxLength} value={body} onChange={(e) => setBody(e.target.value)} />
          {props.maxLength && <p className="muted">{t.charsLeft(props.maxLength - body.length)}</p>}
          {props.side === 'patient' && (
            <>
              <label htmlFor={`files-${props.thread.id}`}>{t.attachFiles}</label>
              <input id={`files-${props.thread.id}`} ref={files} type="file" multiple accept="image/png,image/jpeg,application/pdf" />
            </>
          )}
          <ErrorMessage error={error} />
          <button type="submit" disabled={busy}>
            {t.send}
          </button>
        </form>
      )}
    </section>
  );
}
