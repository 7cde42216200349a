import type { FastifyBaseLogger } from 'fastify';
import { systemClock, type Clock } from './clock.ts';
import type { Config } from './config.ts';
import { sessionPolicyFrom, type AppContext } from './context.ts';
import { lockDataDir } from './db/data-dir-lock.ts';
import { openDatabase } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { HttpGpRegistry, TableGpRegistry } from './features/gp-registry/gp-registry.ts';
import type { Database } from './db/database.ts';

export function gpRegistryFor(config: Config, db: Database) {
  return config.gpRegistryUrl ? new HttpGpRegistry(config.gpRegistryUrl, config.gpRegistryTimeoutMs) : new TableGpRegistry(db);
}

/** Opens the configured database (locking an embedded data dir) and applies migrations. */
export async function openSystem(config: Config, clock: Clock = systemClock) {
  const unlock = config.databaseUrl ? () => {} : lockDataDir(config.dataDir);
  try {
    const db = openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
    await migrateToLatest(db);
    const ctx: AppContext = { config, db, clock, sessionPolicy: sessionPolicyFrom(config), mitid: null, gpRegistry: gpRegistryFor(config, db) };
    const close = async () => {
      await db.destroy();
      unlock();
    };
    return { ctx, close };
  } catch (error) {
    unlock();
    throw error;
  }
}

export type Logger = Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;
