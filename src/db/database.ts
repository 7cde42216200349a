import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { DB } from './schema.ts';

export type Database = Kysely<DB>;

export interface DatabaseTarget {
  /** PostgreSQL connection string (the configured server, or the embedded cluster's socket). */
  url: string;
  poolSize?: number;
}

const INT8_OID = 20;
const DATE_OID = 1082;

/**
 * int8 is a JS number (our counts and ids stay far below 2^53), and a date column is its
 * 'YYYY-MM-DD' text (a Date would shift it by the time zone).
 */
export function openDatabase(target: DatabaseTarget): Database {
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') =>
      oid === INT8_OID ? (value: string) => Number(value) : oid === DATE_OID ? (value: string) => value : pg.types.getTypeParser(oid, format),
  };
  const pool = new pg.Pool({ connectionString: target.url, max: target.poolSize ?? 10, types });
  // An idle connection the server closes (restart, failover) must not crash the process; the
  // pool drops it and the next query opens a new one, or fails and answers 503 via /health.
  pool.on('error', () => {});
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  pools.set(db, pool);
  return db;
}

const pools = new WeakMap<Database, pg.Pool>();

/** Connections of the database's pool: open, idle, and requests waiting for one (for /metrics). */
export function poolStats(db: Database): { total: number; idle: number; waiting: number } {
  const pool = pools.get(db);
  return pool ? { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount } : { total: 0, idle: 0, waiting: 0 };
}

/** True when the database answers a trivial query within timeoutMs. */
export async function databaseAnswers(db: Database, timeoutMs = 3000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  const query = sql`select 1`.execute(db).then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([query, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
