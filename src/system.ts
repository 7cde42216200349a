import type { FastifyBaseLogger } from 'fastify';
import { systemClock, type Clock } from './clock.ts';
import type { Config } from './config.ts';
import { sessionPolicyFrom, type AppContext } from './context.ts';
import { lockDataDir } from './db/data-dir-lock.ts';
import { openDatabase, REQUEST_TIMEOUTS } from './db/database.ts';
import { startEmbeddedPostgres } from './db/embedded-postgres.ts';
import { migrateToLatest } from './db/migrate.ts';
import { HttpCustodyRegistry, TableCustodyRegistry } from './features/custody/custody-registry.ts';
import { HttpGpRegistry, TableGpRegistry } from './features/gp-registry/gp-registry.ts';
import type { Database } from './db/database.ts';

export function gpRegistryFor(config: Config, db: Database) {
  return config.gpRegistryUrl ? new HttpGpRegistry(config.gpRegistryUrl, config.gpRegistryTimeoutMs) : new TableGpRegistry(db);
}

export function custodyRegistryFor(config: Config, db: Database) {
  return config.custodyRegistryUrl ? new HttpCustodyRegistry(config.custodyRegistryUrl, config.custodyRegistryTimeoutMs) : new TableCustodyRegistry(db);
}

function noUnlock(): void {
  // Nothing to release: no data dir lock was taken.
}

/**
 * Opens the configured database and applies migrations. Without DATABASE_URL that is the
 * embedded PostgreSQL in DATA_DIR: the server (`role: 'server'`) owns it, one server per data
 * dir (a pid file guards it), and stops it on close; the CLI uses a running server's cluster and
 * only stops one it started itself.
 */
export async function openSystem(config: Config, options: { role: 'server' | 'cli' } = { role: 'server' }, clock: Clock = systemClock) {
  const server = options.role === 'server';
  const unlock = config.databaseUrl || !server ? noUnlock : lockDataDir(config.dataDir);
  try {
    const embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres(config.dataDir, { owner: server });
    const url = config.databaseUrl ?? embedded?.url;
    if (!url) throw new Error('no database: neither DATABASE_URL nor the embedded PostgreSQL');
    try {
      // Migrations may build indexes on large tables: no request timeouts for them.
      const migrator = openDatabase({ url, poolSize: 1 });
      await migrateToLatest(migrator).finally(() => migrator.destroy());
    } catch (error) {
      await embedded?.stop();
      throw error;
    }
    const db = openDatabase({ url, timeouts: options.role === 'server' ? REQUEST_TIMEOUTS : undefined });
    const ctx: AppContext = {
      config,
      db,
      clock,
      sessionPolicy: sessionPolicyFrom(config),
      mitid: null,
      gpRegistry: gpRegistryFor(config, db),
      custody: custodyRegistryFor(config, db),
    };
    const close = async () => {
      await db.destroy();
      await embedded?.stop();
      unlock();
    };
    return { ctx, close, databaseUrl: url };
  } catch (error) {
    unlock();
    throw error;
  }
}

export type Logger = Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;
