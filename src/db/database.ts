import { createHash } from 'node:crypto';
import { Kysely, PostgresDialect, sql, type RawBuilder } from 'kysely';
import pg from 'pg';
import parseArray from 'postgres-array';
import postgresDate from 'postgres-date';
import type { DB } from './schema.ts';

export type Database = Kysely<DB>;

export interface DatabaseTimeouts {
  /** Waiting for a free pooled connection, or for a new one to connect. */
  acquireMs: number;
  /** Server-side statement_timeout; the client gives up shortly after (a frozen server cannot time itself out). */
  statementMs: number;
  /** Server-side lock_timeout: a write stuck behind a lock gives up instead of queueing requests. */
  lockMs: number;
  /** Server-side idle_in_transaction_session_timeout: a transaction left open by a stuck process is ended. */
  idleInTransactionMs: number;
}

/** Bounded waits for request traffic: a request that cannot get the database answers 503 within seconds. */
export const REQUEST_TIMEOUTS: DatabaseTimeouts = { acquireMs: 3000, statementMs: 5000, lockMs: 3000, idleInTransactionMs: 30_000 };

export interface DatabaseTarget {
  /** PostgreSQL connection string (the configured server, or the embedded cluster's socket). */
  url: string;
  poolSize?: number;
  /** Absent: no timeouts (migrations, the CLI, benchmarks that fill large tables). */
  timeouts?: DatabaseTimeouts;
}

const INT8_OID = 20;
const DATE_OID = 1082;
const TIMESTAMP_OIDS = new Set([1114, 1184]);
/** text[], varchar[] and uuid[]: our rights, scopes, event types and id lists. */
const STRING_ARRAY_OIDS = new Set([1009, 1015, 2951]);

const builtinParser = pg.types.getTypeParser.bind(pg.types) as (oid: number, format?: 'text' | 'binary') => (value: string) => unknown;
// postgres-date's types declare an ES default export; its code is `module.exports = parseDate`,
// which Node's default import is.
const parseTimestamp = postgresDate as unknown as (value: string) => Date | number | null;

function parserFor(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  if (format === 'binary') return builtinParser(oid, format);
  if (oid === INT8_OID) return (value) => Number(value);
  if (oid === DATE_OID) return (value) => value;
  if (TIMESTAMP_OIDS.has(oid)) return parseTimestamp;
  if (STRING_ARRAY_OIDS.has(oid)) return parseArray.parse;
  return builtinParser(oid, format);
}

/**
 * int8 is a JS number (our counts and ids stay far below 2^53), and a date column is its
 * 'YYYY-MM-DD' text (a Date would shift it by the time zone).
 *
 * Timestamps and string arrays use the current majors of the parsers pg's own pg-types 2 pins
 * (postgres-date 2, postgres-array 3; pg-types 4 uses them, pg 8 does not yet). They give the same
 * values (db/type-parsers.test.ts reads them through the pool), faster: the old ones' regular
 * expressions and per-character loop were a visible part of the Loginbestillinger page's
 * main-thread time in a perf profile of the server under its load (a trial, not a bench/ figure).
 * We read no column in binary format; one would get pg's parsers.
 */
export function openDatabase(target: DatabaseTarget): Database {
  const types: pg.CustomTypesConfig = { getTypeParser: parserFor };
  const t = target.timeouts;
  const pool = new pg.Pool({
    connectionString: target.url,
    max: target.poolSize ?? 10,
    types,
    ...(t
      ? {
          connectionTimeoutMillis: t.acquireMs,
          statement_timeout: t.statementMs,
          lock_timeout: t.lockMs,
          idle_in_transaction_session_timeout: t.idleInTransactionMs,
          // No query_timeout here: adaptClientQuery gives up on a silent server itself.
        }
      : {}),
  });
  // A connection the server closes or loses (restart, failover, network) must never crash the
  // process. The pool listens on idle connections; a connection checked out by a request has no
  // listener of pg's own, and an 'error' event without a listener kills Node. The failed query
  // itself rejects (and answers 503); pg-pool then discards the broken connection.
  pool.on('error', ignoreConnectionError);
  pool.on('connect', (client) => {
    client.on('error', ignoreConnectionError);
    adaptClientQuery(client, t ? t.statementMs + 1000 : undefined);
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  pools.set(db, pool);
  return db;
}

function ignoreConnectionError(): void {
  // Deliberately nothing: the query that used the connection fails on its own and is answered.
}

const pools = new WeakMap<Database, pg.Pool>();

/** Connections of the database's pool: open, idle, and requests waiting for one (for /metrics). */
export function poolStats(db: Database): { total: number; idle: number; waiting: number } {
  const pool = pools.get(db);
  return pool ? { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount } : { total: 0, idle: 0, waiting: 0 };
}

const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, in recovery)
  '57014', // query_canceled: our statement_timeout
  '55P03', // lock_not_available: our lock_timeout
  '53300', // too_many_connections
]);
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENOENT']);
// pg and pg-pool raise these as plain Errors without a code, so their text is all there is to go by.
const UNAVAILABLE_PG_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
];

/** True for an error that means "the database cannot be reached or is too slow now", not a bug. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_NODE_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08'))) return true;
  if (UNAVAILABLE_PG_MESSAGES.some((text) => error.message.includes(text))) return true;
  return error.cause !== undefined && error.cause !== error && isDatabaseUnavailable(error.cause);
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

/** The mark `prepared()` puts in front of a statement's SQL (see adaptClientQuery). */
const PREPARED_MARK = '/* prepared */ ';

// A marked statement has one of a few texts, so each is hashed once, not on every run.
const statementNames = new Map<string, string>();
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `pp_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    statementNames.set(text, name);
  }
  return name;
}

/**
 * Marks a hot statement to run as a named prepared statement, inside a transaction too: each
 * pooled connection parses it once, and after five runs PostgreSQL reuses one generic plan when
 * that plan is estimated to cost no more than planning each run (an approval's first statement
 * took longer to plan than to run). Only for statements
 * - whose text is one of a few fixed shapes: every shape stays prepared on every connection for
 *   the connection's life;
 * - whose generic plan is as good as a custom one: lookups by unique keys, or parameters that do
 *   not change the best plan. (The queue page written with `clinic_id = any($1)` got a generic
 *   plan many times slower than its custom one, and so did the page while its status was a
 *   parameter, which no partial index can serve; with `status = 'open'` written out it settles
 *   on a generic plan that is the custom one.)
 */
export const prepared = <Row>(statement: RawBuilder<Row>): RawBuilder<Row> => sql<Row>`${sql.raw(PREPARED_MARK)}${statement}`;

/**
 * How a pooled connection runs Kysely's statements (`client.query(text, values)`, no callback):
 *
 * - A statement marked by `prepared()` runs as a named prepared statement. Kysely cannot name a
 *   statement, so it is named by its text's hash: a changed statement is a new name. pg remembers
 *   a name once PostgreSQL has parsed it. (One pg path keeps the name although the statement is
 *   gone: a value it cannot serialise. Our values are strings, numbers, dates and arrays of them,
 *   and JSON is stringified before it gets here.)
 * - The statement is given to pg with its callback, and the promise is made here. Asked for a
 *   promise, or given a query_timeout, pg sets the query's callback after constructing the query,
 *   from inside Client.query; measured with --trace-gc-nvp in the server under bench:queue's
 *   pages, a large share of everything allocated then survived each young-generation collection,
 *   so each took many times longer on the main thread than with the callback given at
 *   construction, when almost nothing survives (a trial, not a benchmark; docs/ARCHITECTURE.md,
 *   "What every request pays").
 * - So the read timeout is ours, with pg's message: past `readTimeoutMs` with no answer (a frozen
 *   server cannot time itself out) the statement fails, and the connection is ended, which fails
 *   the statements queued behind it at once (they would otherwise run late, after their callers
 *   were told they failed) and makes the pool replace it.
 *
 * Any other form (a callback given, a submittable such as a COPY stream, and pool.query) goes to
 * pg unchanged, without a read timeout: nothing of ours runs those on the pool (backups, the
 * embedded server's setup and LISTEN each open a client of their own).
 */
function adaptClientQuery(client: pg.PoolClient, readTimeoutMs: number | undefined): void {
  // pg's own query, looked up at each call rather than captured, so whatever wraps it later (a
  // test's spy that counts round trips) still sees every statement.
  const query = (...args: unknown[]) => (pg.Client.prototype.query as (...a: unknown[]) => unknown).apply(client, args);
  const adapted = (...args: unknown[]) => {
    const [text, values, ...rest] = args;
    if (typeof text !== 'string' || rest.length > 0 || typeof values === 'function') return query(...args);
    const config = text.startsWith(PREPARED_MARK) && Array.isArray(values) ? { name: statementName(text), text, values } : { text, values };
    return withCallback(client, query, config, readTimeoutMs);
  };
  client.query = adapted as typeof client.query;
}

function withCallback(client: pg.PoolClient, query: (...args: unknown[]) => unknown, config: object, readTimeoutMs: number | undefined) {
  return new Promise((resolve, reject) => {
    const timer =
      readTimeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            reject(new Error('Query read timeout'));
            // With a statement in flight, pg's end() destroys the socket rather than wait for it.
            client.end().catch(ignoreConnectionError);
          }, readTimeoutMs);
    try {
      query(config, undefined, (error: Error | null, result: unknown) => {
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(result);
      });
    } catch (error) {
      // pg reports its errors through the callback; were it ever to throw, the timer must not later
      // end a connection that another request holds by then.
      clearTimeout(timer);
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  }).catch((error: unknown) => {
    // The caller's stack rather than pg's socket read, as pg's own promise gives it.
    if (error instanceof Error) Error.captureStackTrace(error);
    throw error;
  });
}
