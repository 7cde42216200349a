import { useEffect, useState } from 'react';
import { api } from '../../api.ts';
import type { ApiResponse } from '../../api-schema.ts';
import { ErrorMessage } from '../../components.tsx';
import { formatDateTime } from '../../format.ts';
import { useI18n } from '../../i18n.tsx';
import { useIntegrationTexts } from '../../texts-integrations.ts';

type Webhooks = ApiResponse<'/api/clinics/{clinicId}/integrations/{integrationId}/webhooks'>['webhooks'];

/** An integration's webhooks and their latest deliveries to this clinic: status, attempts, last error. */
export function WebhookLog({ url, title }: { url: string; title: string }) {
  const t = useIntegrationTexts();
  const { lang, t: common } = useI18n();
  const [webhooks, setWebhooks] = useState<Webhooks | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api<{ webhooks: Webhooks }>('GET', url)
      .then((r) => setWebhooks(r.webhooks))
      .catch(setError);
  }, [url]);

  if (!webhooks) return error ? <ErrorMessage error={error} /> : <p role="status">{common.loading}</p>;
  return (
    <div className="webhooks" role="region" aria-label={title}>
      {webhooks.length === 0 && <p>{t.noWebhooks}</p>}
      {webhooks.map((w) => (
        <div key={w.id} className="webhook">
          <p className="mono url">{w.url}</p>
          <p>
            {w.disabledAt
              ? t.webhookDisabled(formatDateTime(w.disabledAt, lang))
              : w.failingSince
                ? t.webhookFailing(formatDateTime(w.failingSince, lang))
                : t.webhookActive}
            {' · '}
            {t.events}: <span className="mono">{w.eventTypes.join(', ')}</span>
          </p>
          <h4>{t.deliveries}</h4>
          {w.deliveries.length === 0 ? (
            <p className="muted">{t.noDeliveries}</p>
          ) : (
            <ul className="deliveries">
              {w.deliveries.map((d) => (
                <li key={d.id}>
                  <span className="mono">{d.type}</span> · {t.delivery[d.status] ?? d.status} · {t.attempts(d.attempts)}
                  {d.deliveredAt && ` · ${formatDateTime(d.deliveredAt, lang)}`}
                  {d.lastError && (
                    <div>
                      {t.lastError}: <span className="mono">{d.lastError}</span>
                    </div>
                  )}
                </li>
              ))}
            </ul>
          )}
        </div>
      ))}
    </div>
  );
}
