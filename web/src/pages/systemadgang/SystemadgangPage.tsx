import { useCallback, useEffect, useRef, useState, type SubmitEvent } from 'react';
import { api } from '../../api.ts';
import type { ApiResponse } from '../../api-schema.ts';
import { ErrorMessage, PageTitle } from '../../components.tsx';
import { ActionStatus, useAction } from '../../forms.tsx';
import { SCOPES, useIntegrationTexts, type Scope } from '../../texts-integrations.ts';
import { IntegrationCard, type Integration } from './IntegrationCard.tsx';

type Issued = ApiResponse<'/api/clinics/{clinicId}/integrations', 'post'>;

/** Systemmanager -> Systemadgang: the clinic admin's integrations (clinic systems over the API). */
export function SystemadgangPage({ clinicId, isAdmin }: { clinicId: string; isAdmin: boolean }) {
  const t = useIntegrationTexts();
  const [integrations, setIntegrations] = useState<Integration[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [issued, setIssued] = useState<(Issued & { previousSecretExpiresAt?: string }) | null>(null);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>([]);
  const create = useAction();

  const load = useCallback(async () => {
    const r = await api<ApiResponse<'/api/clinics/{clinicId}/integrations'>>('GET', `/api/clinics/${clinicId}/integrations`);
    setIntegrations(r.integrations);
  }, [clinicId]);
  useEffect(() => {
    if (isAdmin) load().catch(setLoadError);
  }, [isAdmin, load]);

  if (!isAdmin) {
    return (
      <>
        <PageTitle>{t.title}</PageTitle>
        <p>{t.adminOnly}</p>
      </>
    );
  }

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const created = await create.run(async () => {
      setIssued(await api<Issued>('POST', `/api/clinics/${clinicId}/integrations`, { name, scopes }));
      await load();
    }, t.created_(name));
    if (created) {
      setName('');
      setScopes([]);
    }
  };

  return (
    <>
      <PageTitle>{t.title}</PageTitle>
      <p>{t.intro}</p>
      {issued && <SecretOnce issued={issued} onDone={() => setIssued(null)} />}
      <section className="card" aria-labelledby="create-integration">
        <h2 id="create-integration">{t.createTitle}</h2>
        <form onSubmit={(e) => void submit(e)}>
          <label htmlFor="integration-name">{t.name}</label>
          <input id="integration-name" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} {...create.field('name')} />
          <fieldset>
            <legend>{t.scopesLegend}</legend>
            {SCOPES.map((scope) => (
              <div className="check" key={scope}>
                <input
                  id={`scope-${scope}`}
                  type="checkbox"
                  checked={scopes.includes(scope)}
                  onChange={(e) => setScopes(e.target.checked ? [...scopes, scope] : scopes.filter((s) => s !== scope))}
                />
                <label htmlFor={`scope-${scope}`}>
                  {t.scopeLabels[scope]} <span className="mono muted">{scope}</span>
                </label>
              </div>
            ))}
          </fieldset>
          <button type="submit" className="primary" disabled={create.busy || scopes.length === 0}>
            {create.busy ? t.creating : t.create}
          </button>
          <ActionStatus action={create} />
        </form>
      </section>
      <h2>{t.listTitle}</h2>
      <ErrorMessage error={loadError} />
      {integrations?.length === 0 && <p>{t.none}</p>}
      {integrations?.map((integration) => (
        <IntegrationCard key={integration.id} clinicId={clinicId} integration={integration} onChanged={load} onRotated={setIssued} />
      ))}
    </>
  );
}

/** The new secret, shown once: a warning, the values to copy, and a button that puts it away. */
function SecretOnce({ issued, onDone }: { issued: Issued & { previousSecretExpiresAt?: string }; onDone: () => void }) {
  const t = useIntegrationTexts();
  const heading = useRef<HTMLHeadingElement>(null);
  const secretInput = useRef<HTMLInputElement>(null);
  const [copyNotice, setCopyNotice] = useState('');
  useEffect(() => heading.current?.focus(), [issued]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(issued.clientSecret);
      setCopyNotice(t.copied);
    } catch {
      secretInput.current?.select();
      setCopyNotice(t.copyFailed);
    }
  };

  return (
    <section className="card secret-once" aria-labelledby="secret-once-title">
      <h2 id="secret-once-title" ref={heading} tabIndex={-1}>
        {t.secretTitle}
      </h2>
      <p className="warning">{t.secretWarning}</p>
      <label htmlFor="issued-client-id">{t.clientId}</label>
      <input id="issued-client-id" className="mono" readOnly value={issued.clientId} />
      <label htmlFor="issued-secret">{t.secret}</label>
      <input id="issued-secret" ref={secretInput} className="mono" readOnly value={issued.clientSecret} onFocus={(e) => e.target.select()} />
      <label htmlFor="issued-token-url">{t.tokenUrl}</label>
      <input id="issued-token-url" className="mono" readOnly value={issued.tokenUrl} />
      <div className="actions">
        <button type="button" onClick={() => void copy()}>
          {t.copy}
        </button>{' '}
        <button type="button" className="primary" onClick={onDone}>
          {t.saved}
        </button>
      </div>
      <p className="notice" aria-live="polite">
        {copyNotice}
      </p>
    </section>
  );
}
