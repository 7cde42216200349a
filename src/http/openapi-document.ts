import { buildApp } from '../app.ts';
import { systemClock } from '../clock.ts';
import { loadConfig } from '../config.ts';
import { sessionPolicyFrom, type AppContext } from '../context.ts';
import { openDatabase } from '../db/database.ts';
import { TableCustodyRegistry } from '../features/custody/custody-registry.ts';
import { TableGpRegistry } from '../features/gp-registry/gp-registry.ts';

/**
 * The OpenAPI document of the app's routes, built in-process without a database (the pool
 * connects only on a query, and building the routes runs none). The build turns it into the web
 * client's types (web/src/api-types.ts), so a changed server schema breaks the web build.
 */
export async function openApiDocument(): Promise<unknown> {
  const config = loadConfig({
    NODE_ENV: 'test',
    SESSION_SECRET: 'openapi-document-only-openapi-document-only',
    PUBLIC_URL: 'http://localhost:3000',
    DATA_DIR: '/nonexistent',
  });
  const db = openDatabase({ url: 'postgres://unused@127.0.0.1:1/none', poolSize: 1 });
  const ctx: AppContext = {
    config,
    db,
    clock: systemClock,
    sessionPolicy: sessionPolicyFrom(config),
    mitid: null,
    gpRegistry: new TableGpRegistry(db),
    custody: new TableCustodyRegistry(db),
  };
  const app = await buildApp({ ctx });
  try {
    await app.ready();
    return app.swagger();
  } finally {
    await app.close();
    await db.destroy();
  }
}
