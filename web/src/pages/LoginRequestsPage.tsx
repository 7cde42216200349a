import { Fragment, useCallback, useEffect, useRef, useState } from 'react';
import { api, type Session } from '../api.ts';
import type { ApiBody, ApiResponse } from '../api-schema.ts';
import { ErrorMessage, PageTitle } from '../components.tsx';
import { ActionStatus, useAction } from '../forms.tsx';
import { dayKey, formatDate, formatDateTime } from '../format.ts';
import { useI18n } from '../i18n.tsx';
import { Link } from '../router.tsx';
import { useActingTexts } from '../texts-acting.ts';
import { useStaffTexts } from '../texts-staff.ts';

type RequestList = ApiResponse<'/api/login-requests'>;
type OpenRequest = NonNullable<RequestList['open']>[number];
type HandledRequest = NonNullable<RequestList['handled']>[number];
type Right = OpenRequest['presetRights'][number];
const RIGHTS: Right[] = ['econsultation', 'booking', 'renewal'];

/** Systemmanager -> E-moduler -> Loginbestillinger: one dense row a request, expanding to act. */
export function LoginRequestsPage({ session, onChanged }: { session: Session; onChanged: () => void }) {
  const { t, lang } = useI18n();
  const s = useStaffTexts();
  const acting = useActingTexts();
  const [tab, setTab] = useState<'open' | 'handled'>('open');
  const [clinicFilter, setClinicFilter] = useState('');
  const [openRows, setOpenRows] = useState<OpenRequest[]>([]);
  const [handledRows, setHandledRows] = useState<HandledRequest[]>([]);
  const [expanded, setExpanded] = useState<string | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  const noticeRef = useRef<HTMLParagraphElement>(null);
  const multi = session.clinics.length > 1;

  const load = useCallback(
    async (append: string | null = null) => {
      setError(null);
      const query = new URLSearchParams({ status: tab, ...(clinicFilter ? { clinicId: clinicFilter } : {}), ...(append ? { cursor: append } : {}) });
      try {
        const r = await api<RequestList>('GET', `/api/login-requests?${query}`);
        // The server answers the list the query asked for: `open` or `handled`.
        if (tab === 'open') {
          const page = r.open ?? [];
          setOpenRows((rows) => (append ? [...rows, ...page] : page));
        } else {
          const page = r.handled ?? [];
          setHandledRows((rows) => (append ? [...rows, ...page] : page));
        }
        setCursor(r.nextCursor);
      } catch (caught) {
        setError(caught);
      }
    },
    [tab, clinicFilter],
  );
  useEffect(() => void load(), [load]);

  const done = (message: string) => {
    setNotice(message);
    setExpanded(null);
    // The handled row leaves the table: focus goes to the confirmation, not to the page's start.
    noticeRef.current?.focus();
    onChanged();
    void load();
  };

  return (
    <>
      <PageTitle>{t.loginRequests}</PageTitle>
      <div className="row-controls">
        <div role="group" aria-label={t.loginRequests}>
          <button type="button" aria-pressed={tab === 'open'} onClick={() => setTab('open')}>
            {t.openRequests}
          </button>{' '}
          <button type="button" aria-pressed={tab === 'handled'} onClick={() => setTab('handled')}>
            {t.handledRequests}
          </button>
        </div>
        {multi && (
          <div>
            <label htmlFor="clinic-filter">{t.targetClinic}</label>{' '}
            <select id="clinic-filter" value={clinicFilter} onChange={(e) => setClinicFilter(e.target.value)}>
              <option value="">{t.allClinics}</option>
              {session.clinics.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </div>
        )}
      </div>
      <ErrorMessage error={error} />
      <p role="status" className="notice" ref={noticeRef} tabIndex={-1}>
        {notice}
      </p>
      {tab === 'open' && openRows.length === 0 && <p>{t.noOpenRequests}</p>}
      {tab === 'open' && openRows.length > 0 && (
        <table className="dense requests">
          <caption className="visually-hidden">{t.openRequests}</caption>
          <thead>
            <tr>
              <th scope="col">{s.actions}</th>
              <th scope="col">{t.received}</th>
              <th scope="col">{t.name}</th>
              <th scope="col">{t.cpr}</th>
              {multi && <th scope="col">{t.targetClinic}</th>}
              <th scope="col">{t.identity}</th>
              <th scope="col">{t.whyNotAutomatic}</th>
              <th scope="col">{s.rights}</th>
            </tr>
          </thead>
          <tbody>
            {openRows.map((r) => {
              const isOpen = expanded === r.id;
              const detailsId = `req-${r.id}-details`;
              return (
                <Fragment key={r.id}>
                  <tr className={isOpen ? 'expanded' : undefined}>
                    <td>
                      {/* The visible word starts the accessible name (WCAG label in name); aria-expanded says open or closed. */}
                      <button
                        type="button"
                        className="small"
                        aria-expanded={isOpen}
                        aria-controls={detailsId}
                        onClick={() => setExpanded(isOpen ? null : r.id)}
                      >
                        <span aria-hidden="true">{isOpen ? '▾' : '▸'}</span> {s.open}
                        <span className="visually-hidden"> {s.openWhose(r.name)}</span>
                      </button>
                    </td>
                    <td>{formatDateTime(r.receivedAt, lang)}</td>
                    <th scope="row">
                      {r.name}
                      <EndedAccess request={r} />
                    </th>
                    <td className="mono">{r.maskedCpr}</td>
                    {multi && <td>{r.clinicName}</td>}
                    <td className={r.identityVerified === 'none' ? 'warning' : undefined}>
                      {r.identityVerified === 'mitid' ? t.identityMitid : t.identityNone}
                    </td>
                    <td>
                      {r.reason === 'parent_request' ? acting.parentRequestReason : (t.reasons[r.reason] ?? r.reason)}
                      {r.requestedByParent && (
                        <div>
                          <strong>{acting.requestedByParent(r.requestedByParent)}</strong>
                        </div>
                      )}
                      {r.registryAnswer && ` (${t.registryAnswers[r.registryAnswer] ?? r.registryAnswer})`}
                    </td>
                    <td>{r.presetRights.map((x) => t[x]).join(', ') || s.noRights}</td>
                  </tr>
                  {isOpen && (
                    <tr className="request-details">
                      <td colSpan={multi ? 8 : 7} id={detailsId}>
                        <RequestActions request={r} onDone={done} />
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      )}
      {tab === 'handled' && handledRows.length === 0 && <p>{t.noHandledRequests}</p>}
      {tab === 'handled' && handledRows.length > 0 && (
        <table className="dense">
          <caption className="visually-hidden">{t.handledRequests}</caption>
          <thead>
            <tr>
              <th scope="col">{t.name}</th>
              <th scope="col">{t.cpr}</th>
              {multi && <th scope="col">{t.targetClinic}</th>}
              <th scope="col">{t.outcome}</th>
              <th scope="col">{t.handledBy}</th>
              <th scope="col">{t.received}</th>
            </tr>
          </thead>
          <tbody>
            {handledRows.map((r) => (
              <tr key={r.id}>
                <td>
                  {r.patientId && r.clinicId === session.activeClinicId ? <Link href={`/patients/${r.patientId}`}>{r.name}</Link> : r.name}
                  {r.requestedByParent && <div className="muted">{acting.requestedByParent(r.requestedByParent)}</div>}
                </td>
                <td className="mono">{r.maskedCpr}</td>
                {multi && <td>{r.clinicName}</td>}
                <td>
                  {r.outcome === 'approved' ? `${t.approvedOutcome} (${(r.grantedRights ?? []).map((x) => t[x]).join(', ') || '–'})` : t.rejectedOutcome}
                  {r.rejectionReason && <div className="muted">{r.rejectionReason}</div>}
                </td>
                <td>
                  {r.handledBy ?? '–'}, {formatDateTime(r.handledAt, lang)}
                </td>
                <td>{formatDateTime(r.receivedAt, lang)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cursor && (
        <button type="button" onClick={() => void load(cursor)}>
          {t.nextPage}
        </button>
      )}
    </>
  );
}

/** The red "!" and, in words, who ended the earlier access and when. */
function EndedAccess({ request: r }: { request: OpenRequest }) {
  const { t } = useI18n();
  const s = useStaffTexts();
  if (!r.previouslyHadAccess) return null;
  const ended = r.previousAccess;
  const date = ended ? formatDate(dayKey(ended.endedAt)) : '';
  const words = !ended ? t.previouslyHadAccess : ended.endedBy === 'clinic' ? s.endedByClinic(date) : s.endedByPatient(date);
  return (
    <div className="ended-access">
      <span className="flag" aria-hidden="true">
        !
      </span>{' '}
      {words}
    </div>
  );
}

/** The expanded row: contact facts, the ticks, Opret / Afvis. Plain buttons and checkboxes, so all of it works by keyboard. */
function RequestActions({ request: r, onDone }: { request: OpenRequest; onDone: (message: string) => void }) {
  const { t } = useI18n();
  const s = useStaffTexts();
  const [rights, setRights] = useState<Right[]>(r.presetRights);
  const [identityChecked, setIdentityChecked] = useState(false);
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const action = useAction();
  const id = `req-${r.id}`;

  const approve = async () => {
    const body: ApiBody<'/api/login-requests/{requestId}/approve', 'post'> = { rights, identityChecked };
    if (await action.run(() => api<ApiResponse<'/api/login-requests/{requestId}/approve', 'post'>>('POST', `/api/login-requests/${r.id}/approve`, body)))
      onDone(t.requestApproved);
  };
  const reject = async () => {
    const body: ApiBody<'/api/login-requests/{requestId}/reject', 'post'> = { reason: reason || null };
    if (await action.run(() => api<ApiResponse<'/api/login-requests/{requestId}/reject', 'post'>>('POST', `/api/login-requests/${r.id}/reject`, body)))
      onDone(t.requestRejected);
  };

  return (
    <section className="request-act" aria-label={s.details(r.name)}>
      <dl className="facts">
        <dt>{t.email}</dt>
        <dd>{r.email}</dd>
        <dt>{t.phone}</dt>
        <dd>{r.phone ?? '–'}</dd>
        <dt>{t.knownOrNew}</dt>
        <dd>{r.knownPatient ? r.knownPatient.name : t.newPatient}</dd>
      </dl>
      <fieldset>
        <legend>{t.wantedAccess}</legend>
        {RIGHTS.map((right) => (
          <div className="check" key={right}>
            <input
              id={`${id}-${right}`}
              type="checkbox"
              checked={rights.includes(right)}
              onChange={(e) => setRights((cur) => RIGHTS.filter((x) => (x === right ? e.target.checked : cur.includes(x))))}
            />
            <label htmlFor={`${id}-${right}`}>{t[right]}</label>
          </div>
        ))}
      </fieldset>
      {r.identityVerified === 'none' && (
        <div className="check">
          <input id={`${id}-checked`} type="checkbox" checked={identityChecked} onChange={(e) => setIdentityChecked(e.target.checked)} />
          <label htmlFor={`${id}-checked`}>{t.identityChecked}</label>
        </div>
      )}
      <div className="buttons">
        <button type="button" disabled={action.busy} onClick={() => void approve()}>
          {t.create}
        </button>
        {!rejecting && (
          <button type="button" className="danger" disabled={action.busy} onClick={() => setRejecting(true)}>
            {t.reject}
          </button>
        )}
      </div>
      {rejecting && (
        <div className="confirm">
          <label htmlFor={`${id}-reason`}>{t.rejectReason}</label>
          {/* Focus moves to the reason when Afvis opens it, so the keyboard user continues there. */}
          <textarea id={`${id}-reason`} maxLength={500} value={reason} autoFocus onChange={(e) => setReason(e.target.value)} />
          <button type="button" className="danger" disabled={action.busy} onClick={() => void reject()}>
            {t.confirmReject}
          </button>{' '}
          <button type="button" onClick={() => setRejecting(false)}>
            {t.cancel}
          </button>
        </div>
      )}
      <ActionStatus action={action} />
    </section>
  );
}
