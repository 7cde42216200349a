import { useEffect, useRef, useState, type SubmitEvent } from 'react';
import { api } from '../api.ts';
import { useActingTexts } from '../texts-acting.ts';
import { filesToBase64 } from '../files.ts';
import { ActionStatus, useAction } from '../forms.tsx';
import { formatDateTime } from '../format.ts';
import { useI18n } from '../i18n.tsx';
import { FilePicker } from '../patient/FilePicker.tsx';
import { useTexts } from '../texts-everyday.ts';

export interface ThreadData {
  id: string;
  subject: string;
  status: string;
  messages: {
    id: string;
    sender: 'patient' | 'clinic';
    body: string;
    createdAt: string;
    readAt: string | null;
    staffName: string | null;
    actedBy: string | null;
    attachments: { id: string; filename: string; contentType: string; size: number }[];
  }[];
}

/**
 * One e-konsultation thread, for either side; `replyUrl` null means reading only. Once shown, it
 * is marked read with a POST to `readUrl` (reading with GET marks nothing).
 */
export function ThreadView(props: {
  thread: ThreadData;
  side: 'patient' | 'clinic';
  attachmentBase: string;
  replyUrl: string | null;
  readUrl: string;
  onRead: () => void;
  maxLength?: number;
  onReplied: () => void;
}) {
  const { t, lang } = useI18n();
  const acting = useActingTexts();
  const x = useTexts();
  const [body, setBody] = useState('');
  const [files, setFiles] = useState<FileList | null>(null);
  const [pickerKey, setPickerKey] = useState(0);
  const reply = useAction();
  const heading = useRef<HTMLHeadingElement>(null);
  const own = (sender: string) => sender === props.side;
  const { readUrl } = props;
  const onRead = useRef(props.onRead);
  onRead.current = props.onRead;
  const unread = props.thread.messages.some((m) => !own(m.sender) && m.readAt === null);
  const lastId = props.thread.messages.at(-1)?.id;

  // Marks read what was shown: once per thread and newest message.
  useEffect(() => {
    if (unread)
      void api('POST', readUrl).then(
        () => onRead.current(),
        () => undefined,
      );
  }, [readUrl, lastId, unread]);
  useEffect(() => heading.current?.focus(), [props.thread.id]);

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const url = props.replyUrl;
    if (!url) return;
    void reply.run(async () => {
      const attachments = props.side === 'patient' ? await filesToBase64(files) : undefined;
      await api('POST', url, { body, ...(attachments?.length ? { attachments } : {}) });
      setBody('');
      setFiles(null);
      setPickerKey((k) => k + 1);
      props.onReplied();
      return x.sent;
    });
  };

  return (
    <section aria-labelledby={`thread-${props.thread.id}`} className="card">
      <h2 id={`thread-${props.thread.id}`} ref={heading} tabIndex={-1}>
        {props.thread.subject}
      </h2>
      <ol className="messages">
        {props.thread.messages.map((m) => (
          <li key={m.id} className={own(m.sender) ? 'own' : 'other'}>
            <p className="muted">
              {m.sender === 'patient'
                ? props.side === 'patient'
                  ? m.actedBy
                    ? acting.wroteFor(m.actedBy)
                    : t.you
                  : m.actedBy
                    ? `${t.patient}, ${acting.wroteFor(m.actedBy)}`
                    : t.patient
                : props.side === 'clinic'
                  ? (m.staffName ?? t.clinicSender)
                  : t.clinicSender}{' '}
              · {formatDateTime(m.createdAt, lang)}
            </p>
            <p className="body">{m.body}</p>
            {m.attachments.length > 0 && (
              <ul className="thumbs">
                {m.attachments.map((a) => (
                  <li key={a.id}>
                    <a href={`${props.attachmentBase}/${a.id}`}>
                      {a.contentType.startsWith('image/') ? (
                        <img src={`${props.attachmentBase}/${a.id}`} alt={x.image(a.filename)} loading="lazy" />
                      ) : (
                        <span className="file">{a.filename}</span>
                      )}
                    </a>{' '}
                    <span className="muted">({Math.ceil(a.size / 1024)} kB)</span>
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ol>
      {props.thread.status === 'closed' && <p className="muted">{t.closedThread}</p>}
      {props.replyUrl && props.thread.status !== 'closed' && (
        <form onSubmit={submit} aria-busy={reply.busy}>
          <label htmlFor={`reply-${props.thread.id}`}>{t.answer}</label>
          <textarea
            id={`reply-${props.thread.id}`}
            required
            rows={4}
            maxLength={props.maxLength}
            value={body}
            aria-describedby={props.maxLength ? `reply-count-${props.thread.id}` : undefined}
            onChange={(e) => setBody(e.target.value)}
            {...reply.field('body')}
          />
          {props.maxLength && (
            <p id={`reply-count-${props.thread.id}`} className="muted char-count">
              {x.charsLeft(props.maxLength - body.length, props.maxLength)}
            </p>
          )}
          {props.side === 'patient' && <FilePicker key={pickerKey} id={`files-${props.thread.id}`} onChange={setFiles} />}
          <button type="submit" className="primary" disabled={reply.busy}>
            {t.send}
          </button>
          <ActionStatus action={reply} />
        </form>
      )}
    </section>
  );
}
