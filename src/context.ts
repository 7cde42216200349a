import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import type { Database } from './db/database.ts';
import type { SessionPolicy } from './features/auth/staff-sessions.ts';
import type { CustodyRegistry } from './features/custody/custody-registry.ts';
import type { GpRegistry } from './features/gp-registry/gp-registry.ts';
import type { MitidClient } from './features/mitid/mitid-client.ts';

/** What every feature needs from the running system, passed in rather than imported. */
export interface AppContext {
  config: Config;
  db: Database;
  clock: Clock;
  sessionPolicy: SessionPolicy;
  /** Null when no MitID broker is configured (production without MITID_ISSUER). */
  mitid: MitidClient | null;
  gpRegistry: GpRegistry;
  /** Forældremyndighed: asked on every request a parent makes for a child. */
  custody: CustodyRegistry;
}

export function sessionPolicyFrom(config: Config): SessionPolicy {
  return { idleMs: config.sessionIdleMinutes * 60_000, absoluteMs: config.sessionAbsoluteHours * 3_600_000 };
}
