import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Database, type DatabaseTarget } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';

export type Backend = 'postgres';

/**
 * One engine: PostgreSQL, in tests as in production and on the embedded default. Kept as a list
 * so `describe.each(backends)` names the engine in every test's title.
 */
export const backends: Backend[] = ['postgres'];

export interface TestDatabase {
  db: Database;
  /** The connection string of this test's own database. */
  url: string;
  drop: () => Promise<void>;
}

/** The maintenance database of the test PostgreSQL (TEST_DATABASE_URL, or the run's embedded cluster). */
export function testServerUrl(): string {
  return inject('testDatabaseUrl');
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testServerUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The URL of another database on the same server (keeps a socket `?host=` parameter). */
export function databaseUrl(name: string): string {
  const url = new URL(testServerUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/** A fresh, empty database on the test server, dropped by the returned function. */
export async function createEmptyDatabase(prefix = 'postgres'): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `pp_test_${prefix}_${Date.now()}_${randomBytes(4).toString('hex')}`;
  await withAdmin((c) => c.query(`create database ${name}`));
  return { name, url: databaseUrl(name), drop: () => withAdmin((c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined) };
}

/** An empty database of this test's own, opened through the app's pool (openDatabase) with these options; drop() closes and drops it. */
export async function openEmptyDatabase(prefix: string, options: Omit<DatabaseTarget, 'url'> = {}): Promise<TestDatabase> {
  const empty = await createEmptyDatabase(prefix);
  const db = openDatabase({ url: empty.url, ...options });
  return {
    db,
    url: empty.url,
    drop: async () => {
      await db.destroy();
      await empty.drop();
    },
  };
}

/** A fresh, migrated database of this test's own, dropped after it, so runs never see each other's data. */
export async function createTestDatabase(backend: Backend = 'postgres'): Promise<TestDatabase> {
  const database = await openEmptyDatabase(backend, { poolSize: 10 });
  await migrateToLatest(database.db);
  return database;
}
