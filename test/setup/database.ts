import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A PostgreSQL server's maintenance database: each test file makes and drops its own databases there. */
    testDatabaseUrl: string;
  }
}

/**
 * Every database test runs on PostgreSQL: the server named by TEST_DATABASE_URL (as .ci/run
 * sets), or else an embedded cluster started here for this run and removed after it.
 */
export default async function setup(project: TestProject) {
  if (process.env.TEST_DATABASE_URL) {
    project.provide('testDatabaseUrl', process.env.TEST_DATABASE_URL);
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'pp-test-pg-'));
  const embedded = await startEmbeddedPostgres(dir, { owner: true });
  project.provide('testDatabaseUrl', embedded.adminUrl);
  return async () => {
    await embedded.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
