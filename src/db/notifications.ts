import pgListen, { type Subscriber } from 'pg-listen';
import type { FastifyBaseLogger } from 'fastify';
import { safeError } from '../http/safe-error.ts';

export interface NotificationListener {
  /** Settles once the listener first listens (tests wait for it; the app does not need to). */
  listening: Promise<void>;
  close(): Promise<void>;
}

/** How often a listener that could not connect (or lost its connection for good) tries again. */
const RECONNECT_MS = 5000;

// pg-listen is CommonJS: its module.exports is the function with the ES module's exports copied
// onto it, so `.default` is the function under Node's ESM loader and in TypeScript's types alike.
const createPostgresSubscriber = pgListen.default;

/**
 * LISTENs on PostgreSQL channels with a connection of its own and calls the channel's handler on
 * each notification. A wake-up only: the workers it wakes still poll, so a listener that is down
 * (database lost, restarting) delays work by one poll interval and loses nothing. pg-listen
 * reconnects a dropped connection; when even that gives up we start a new subscriber.
 */
export function listenForNotifications(url: string, handlers: Record<string, () => void>, log: Pick<FastifyBaseLogger, 'warn' | 'info'>): NotificationListener {
  let subscriber: Subscriber | undefined;
  let retry: NodeJS.Timeout | undefined;
  let closed = false;
  let markListening = (): void => undefined;
  const listening = new Promise<void>((resolve) => (markListening = resolve));

  const start = async () => {
    const next = createPostgresSubscriber({ connectionString: url }, { retryLimit: Infinity, retryTimeout: Infinity, retryInterval: RECONNECT_MS });
    next.events.on('notification', ({ channel }) => handlers[channel]?.());
    // pg-listen reconnects a dropped connection by itself (and listens again): what was queued
    // while it was gone is picked up at once, not at the next poll.
    next.events.on('connected', () => {
      if (subscriber === next) for (const wake of Object.values(handlers)) wake();
    });
    next.events.on('error', (error) => {
      log.warn({ err: safeError(error) }, 'notification listener: connection lost; workers poll until it is back');
      void next.close().catch(() => undefined);
      if (subscriber === next) subscriber = undefined;
      schedule();
    });
    try {
      await next.connect();
      for (const channel of Object.keys(handlers)) await next.listenTo(channel);
      if (closed) {
        await next.close();
        return;
      }
      subscriber = next;
      markListening();
      // Work queued while we were not listening is picked up at once, not at the next poll.
      for (const wake of Object.values(handlers)) wake();
    } catch (error) {
      log.warn({ err: safeError(error) }, 'notification listener: could not listen; workers poll until it can');
      await next.close().catch(() => undefined);
      schedule();
    }
  };
  const schedule = () => {
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      void start();
    }, RECONNECT_MS);
    retry.unref();
  };

  void start();
  return {
    listening,
    async close() {
      closed = true;
      clearTimeout(retry);
      await subscriber?.close().catch(() => undefined);
      subscriber = undefined;
    },
  };
}
