import { useCallback, useEffect, useState } from 'react';
import { api, type Session } from '../api.ts';
import { ErrorMessage, PageTitle } from '../components.tsx';
import { formatDateTime } from '../format.ts';
import { useI18n } from '../i18n.tsx';
import { Link } from '../router.tsx';

type Right = 'econsultation' | 'booking' | 'renewal';
const RIGHTS: Right[] = ['econsultation', 'booking', 'renewal'];

interface OpenRequest {
  id: string;
  clinicId: string;
  clinicName: string;
  receivedAt: string;
  name: string;
  maskedCpr: string;
  email: string;
  phone: string | null;
  knownPatient: { id: string; name: string } | null;
  identityVerified: 'mitid' | 'none';
  reason: string;
  registryAnswer: string | null;
  previouslyHadAccess: boolean;
  presetRights: Right[];
}
interface HandledRequest {
  id: string;
  clinicName: string;
  receivedAt: string;
  handledAt: string;
  handledBy: string | null;
  name: string;
  maskedCpr: string;
  outcome: 'approved' | 'rejected';
  rejectionReason: string | null;
  grantedRights: Right[] | null;
  patientId: string | null;
  clinicId: string;
}

/** Systemmanager -> E-moduler -> Loginbestillinger. */
export function LoginRequestsPage({ session, onChanged }: { session: Session; onChanged: () => void }) {
  const { t, lang } = useI18n();
  const [tab, setTab] = useState<'open' | 'handled'>('open');
  const [clinicFilter, setClinicFilter] = useState('');
  const [openRows, setOpenRows] = useState<OpenRequest[]>([]);
  const [handledRows, setHandledRows] = useState<HandledRequest[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  const multi = session.clinics.length > 1;

  const load = useCallback(
    async (append: string | null = null) => {
      setError(null);
      const query = new URLSearchParams({ status: tab, ...(clinicFilter ? { clinicId: clinicFilter } : {}), ...(append ? { cursor: append } : {}) });
      try {
        const r = await api<{ open?: OpenRequest[]; handled?: HandledRequest[]; nextCursor: string | null }>('GET', `/api/login-requests?${query}`);
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
      <p role="status" className="notice">
        {notice}
      </p>
      {tab === 'open' && openRows.length === 0 && <p>{t.noOpenRequests}</p>}
      {tab === 'open' && openRows.map((r) => <RequestCard key={r.id} request={r} showClinic={multi} onDone={done} />)}
      {tab === 'handled' && handledRows.length === 0 && <p>{t.noHandledRequests}</p>}
      {tab === 'handled' && handledRows.length > 0 && (
        <table>
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
                <td>{r.patientId && r.clinicId === session.activeClinicId ? <Link href={`/patients/${r.patientId}`}>{r.name}</Link> : r.name}</td>
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

function RequestCard({ request: r, showClinic, onDone }: { request: OpenRequest; showClinic: boolean; onDone: (message: string) => void }) {
  const { t, lang } = useI18n();
  const [rights, setRights] = useState<Right[]>(r.presetRights);
  const [identityChecked, setIdentityChecked] = useState(false);
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const id = `req-${r.id}`;

  const act = async (action: () => Promise<unknown>, message: string) => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await action();
      onDone(message);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const approve = () => act(() => api('POST', `/api/login-requests/${r.id}/approve`, { rights, identityChecked }), t.requestApproved);
  const reject = () => act(() => api('POST', `/api/login-requests/${r.id}/reject`, { reason: reason || null }), t.requestRejected);

  return (
    <section className="card request" aria-labelledby={`${id}-name`}>
      <h2 id={`${id}-name`}>
        {r.previouslyHadAccess && (
          <span className="flag" title={t.previouslyHadAccess} aria-label={t.previouslyHadAccess} role="img">
            !
          </span>
        )}{' '}
        {r.name} <span className="mono muted">{r.maskedCpr}</span>
      </h2>
      <dl className="facts">
        <dt>{t.received}</dt>
        <dd>{formatDateTime(r.receivedAt, lang)}</dd>
        {showClinic && (
          <>
            <dt>{t.targetClinic}</dt>
            <dd>{r.clinicName}</dd>
          </>
        )}
        <dt>{t.email}</dt>
        <dd>{r.email}</dd>
        <dt>{t.phone}</dt>
        <dd>{r.phone ?? '–'}</dd>
        <dt>{t.knownOrNew}</dt>
        <dd>{r.knownPatient ? r.knownPatient.name : t.newPatient}</dd>
        <dt>{t.identity}</dt>
        <dd className={r.identityVerified === 'none' ? 'warning' : undefined}>{r.identityVerified === 'mitid' ? t.identityMitid : t.identityNone}</dd>
        <dt>{t.whyNotAutomatic}</dt>
        <dd>
          {t.reasons[r.reason] ?? r.reason}
          {r.registryAnswer && ` (${t.registryAnswers[r.registryAnswer] ?? r.registryAnswer})`}
        </dd>
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
      <ErrorMessage error={error} />
      <div className="buttons">
        <button type="button" disabled={busy} onClick={() => void approve()} aria-describedby={`${id}-name`}>
          {t.create}
        </button>
        {!rejecting && (
          <button type="button" className="danger" disabled={busy} onClick={() => setRejecting(true)} aria-describedby={`${id}-name`}>
            {t.reject}
          </button>
        )}
      </div>
      {rejecting && (
        <div className="confirm">
          <label htmlFor={`${id}-reason`}>{t.rejectReason}</label>
          <textarea id={`${id}-reason`} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
          <button type="button" className="danger" disabled={busy} onClick={() => void reject()}>
            {t.confirmReject}
          </button>{' '}
          <button type="button" onClick={() => setRejecting(false)}>
            {t.cancel}
          </button>
        </div>
      )}
    </section>
  );
}
