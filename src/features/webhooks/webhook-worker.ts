import type { FastifyBaseLogger } from 'fastify';
import { Webhook } from 'standardwebhooks';
import type { Clock } from '../../clock.ts';
import type { Database } from '../../db/database.ts';
import { safeError } from '../../http/safe-error.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { claimDue, disableEndpoint, fanOut, markDelivered, markFailed, type ClaimedDelivery } from './webhooks.repository.ts';

export interface WebhookWorkerOptions {
  db: Database;
  clock: Clock;
  publicUrl: string;
  log: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;
  pollMs?: number;
  batchSize?: number;
  leaseMs?: number;
  /** First retry delay; doubles per attempt up to maxBackoffMs. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** An endpoint failing this long is disabled and the clinic admins are mailed. */
  disableAfterMs?: number;
  timeoutMs?: number;
}

/** The Standard Webhooks body: thin, ids only. */
export function payloadOf(d: Pick<ClaimedDelivery, 'type' | 'occurred_at' | 'clinic_id' | 'data' | 'event_xid' | 'event_id'>) {
  return JSON.stringify({
    type: d.type,
    timestamp: d.occurred_at.toISOString(),
    data: { eventId: `${d.event_xid}.${d.event_id}`, clinicId: d.clinic_id, ...d.data },
  });
}

/**
 * Delivers events to webhook endpoints: fans new events out to delivery rows, claims the due
 * ones (the oldest per endpoint and clinic, SKIP LOCKED, leased), POSTs them signed per Standard
 * Webhooks outside any transaction, and retries with exponential backoff.
 */
export class WebhookWorker {
  readonly #o: Required<WebhookWorkerOptions>;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;

  constructor(options: WebhookWorkerOptions) {
    this.#o = {
      pollMs: 1000,
      batchSize: 20,
      leaseMs: 60_000,
      baseBackoffMs: 5_000,
      maxBackoffMs: 3_600_000,
      disableAfterMs: 24 * 3_600_000,
      timeoutMs: 10_000,
      ...options,
    };
  }

  start(): void {
    this.#stopped = false;
    const tick = () => {
      this.#running = this.runOnce()
        .then(() => undefined)
        .catch((error: unknown) => {
          this.#o.log.error({ err: safeError(error) }, 'webhook worker failed');
        })
        .finally(() => {
          if (!this.#stopped) this.#timer = setTimeout(tick, this.#o.pollMs);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  /** One round: fan out, then deliver until nothing is due. Returns the deliveries attempted. */
  async runOnce(): Promise<number> {
    await fanOut(this.#o.db, this.#o.clock.now());
    let attempted = 0;
    for (;;) {
      const claimed = await claimDue(this.#o.db, this.#o.clock.now(), this.#o.leaseMs, this.#o.batchSize);
      if (claimed.length === 0) return attempted;
      await Promise.all(claimed.map((d) => this.#deliver(d)));
      attempted += claimed.length;
    }
  }

  async #deliver(d: ClaimedDelivery): Promise<void> {
    const body = payloadOf(d);
    const now = this.#o.clock.now();
    const msgId = `evt_${d.event_xid}_${d.event_id}`;
    let failure: { error: string; status: number | null };
    try {
      const signature = new Webhook(d.secret).sign(msgId, now, body);
      const response = await fetch(d.url, {
        method: 'POST',
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#o.timeoutMs),
        headers: {
          'content-type': 'application/json',
          'webhook-id': msgId,
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': signature,
        },
      });
      await response.body?.cancel();
      if (response.status >= 200 && response.status < 300) {
        await markDelivered(this.#o.db, d, response.status, this.#o.clock.now());
        return;
      }
      failure = { error: `HTTP ${response.status}`, status: response.status };
    } catch (error) {
      failure = { error: error instanceof Error ? `${error.name}: ${error.message}` : 'request failed', status: null };
    }
    const backoff = Math.min(this.#o.baseBackoffMs * 2 ** Math.max(0, d.attempts - 1), this.#o.maxBackoffMs);
    const at = this.#o.clock.now();
    await this.#o.db.transaction().execute(async (trx) => {
      const { failingSince } = await markFailed(trx, d, failure, new Date(at.getTime() + backoff), at);
      if (at.getTime() - failingSince.getTime() < this.#o.disableAfterMs) return;
      const disabled = await disableEndpoint(trx, d.endpoint_id, at);
      for (const admin of disabled?.admins ?? []) {
        await enqueueMail(
          trx,
          {
            to: admin.email,
            clinicId: admin.clinic_id,
            template: 'webhookDisabled',
            params: { integrationName: admin.name, url: disabled?.url ?? '', link: `${this.#o.publicUrl}/e-moduler/systemadgang` },
          },
          at,
        );
      }
    });
  }
}
