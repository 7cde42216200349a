import { useState } from 'react';
import { api } from '../../api.ts';
import type { ApiResponse } from '../../api-schema.ts';
import { ActionStatus, useAction } from '../../forms.tsx';
import { formatDateTime } from '../../format.ts';
import { useI18n } from '../../i18n.tsx';
import { useIntegrationTexts } from '../../texts-integrations.ts';
import { WebhookLog } from './WebhookLog.tsx';

export type Integration = ApiResponse<'/api/clinics/{clinicId}/integrations'>['integrations'][number];
type Rotated = ApiResponse<'/api/clinics/{clinicId}/integrations/{integrationId}/rotate-secret', 'post'>;

const OVERLAP_HOURS = [0, 1, 24, 72, 168];

/** One integration: what it may do, when it was last used, and rotate / revoke (each with a confirm step) / its webhooks. */
export function IntegrationCard({
  clinicId,
  integration: i,
  onChanged,
  onRotated,
}: {
  clinicId: string;
  integration: Integration;
  onChanged: () => Promise<void>;
  onRotated: (issued: Rotated) => void;
}) {
  const t = useIntegrationTexts();
  const { lang } = useI18n();
  const [step, setStep] = useState<'none' | 'rotate' | 'revoke'>('none');
  const [overlapHours, setOverlapHours] = useState(24);
  const [showWebhooks, setShowWebhooks] = useState(false);
  const action = useAction();
  const url = `/api/clinics/${clinicId}/integrations/${i.id}`;
  const when = (iso: string | null) => (iso ? formatDateTime(iso, lang) : t.never);
  const headingId = `integration-${i.id}`;

  const rotate = () =>
    action.run(async () => {
      const rotated = await api<Rotated>('POST', `${url}/rotate-secret`, { overlapHours });
      setStep('none');
      onRotated(rotated);
      await onChanged();
      return t.rotated(formatDateTime(rotated.previousSecretExpiresAt, lang));
    });
  const revoke = () =>
    action.run(async () => {
      await api('DELETE', url);
      setStep('none');
      await onChanged();
    }, t.revokedDone(i.name));

  return (
    <section className="card integration" aria-labelledby={headingId}>
      <h3 id={headingId}>
        {i.name}{' '}
        <span className={i.revokedAt ? 'badge badge-stopped' : 'badge badge-active'}>
          {i.revokedAt ? `${t.revoked} ${formatDateTime(i.revokedAt, lang)}` : t.active}
        </span>
      </h3>
      <dl className="facts">
        <dt>{t.clientId}</dt>
        <dd className="mono">{i.id}</dd>
        <dt>{t.scopes}</dt>
        <dd>
          <ul>
            {i.scopes.map((s) => (
              <li key={s}>{(t.scopeLabels as Record<string, string | undefined>)[s] ?? s}</li>
            ))}
          </ul>
        </dd>
        <dt>{t.clinics}</dt>
        <dd>
          {i.clinics.join(', ')}
          {i.kind === 'vendor' && <span className="muted"> ({t.vendor})</span>}
        </dd>
        <dt>{t.created}</dt>
        <dd>{when(i.createdAt)}</dd>
        <dt>{t.lastUsed}</dt>
        <dd>{when(i.lastTokenAt)}</dd>
        <dt>{t.secretCreated}</dt>
        <dd>
          {when(i.secretCreatedAt)}
          {i.previousSecretExpiresAt && <div>{t.overlap(formatDateTime(i.previousSecretExpiresAt, lang))}</div>}
        </dd>
      </dl>
      {!i.revokedAt && step === 'none' && (
        <div className="actions">
          <button type="button" onClick={() => setStep('rotate')}>
            {t.rotate}
          </button>{' '}
          <button type="button" className="danger" onClick={() => setStep('revoke')}>
            {t.revoke}
          </button>
        </div>
      )}
      {step === 'rotate' && (
        <div role="group" aria-labelledby={`${headingId}-rotate`} className="confirm">
          <label id={`${headingId}-rotate`} htmlFor={`${headingId}-overlap`}>
            {t.overlapLabel}
          </label>
          <select id={`${headingId}-overlap`} value={overlapHours} onChange={(e) => setOverlapHours(Number(e.target.value))} autoFocus>
            {OVERLAP_HOURS.map((h) => (
              <option key={h} value={h}>
                {t.overlapHours(h)}
              </option>
            ))}
          </select>{' '}
          <button type="button" className="primary" disabled={action.busy} onClick={() => void rotate()}>
            {t.rotateConfirm}
          </button>{' '}
          <button type="button" onClick={() => setStep('none')}>
            {t.cancel}
          </button>
        </div>
      )}
      {step === 'revoke' && (
        <div role="alertdialog" aria-labelledby={`${headingId}-revoke`} className="confirm">
          <p id={`${headingId}-revoke`}>{t.revokeQuestion(i.name)}</p>
          <button type="button" className="danger" autoFocus disabled={action.busy} onClick={() => void revoke()}>
            {t.revokeYes}
          </button>{' '}
          <button type="button" onClick={() => setStep('none')}>
            {t.cancel}
          </button>
        </div>
      )}
      <ActionStatus action={action} />
      <button type="button" className="link-button" aria-expanded={showWebhooks} onClick={() => setShowWebhooks(!showWebhooks)}>
        {showWebhooks ? t.webhooksHide : t.webhooksShow}
      </button>
      {showWebhooks && <WebhookLog url={`${url}/webhooks`} title={t.webhooksTitle(i.name)} />}
    </section>
  );
}
