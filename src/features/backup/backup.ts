import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';

/**
 * Backup and restore of Patientportal's data as one gzip file: a header line, then each table's
 * rows in PostgreSQL's COPY text format, ended by COPY's own `\.` line (which no data row can be:
 * COPY escapes every backslash). The schema is not in the file: restore applies our migrations
 * first, and refuses a file made at another migration level.
 *
 * Why not pg_dump: the embedded PostgreSQL ships only initdb, pg_ctl and postgres, and a pg_dump
 * older than the server (Debian's 15 against our 18, say) refuses to dump it. For a PostgreSQL of
 * your own (DATABASE_URL), use pg_dump, as the README says.
 */
const MAGIC = 'PATIENTPORTAL-BACKUP 1';
const MIGRATION_TABLES = ['kysely_migration', 'kysely_migration_lock'];
/** Tables that only ever hold what people and clinic systems put there: rows in any mean the database is in use. */
const DATA_TABLES = ['clinics', 'staff_users', 'patients', 'patient_accounts', 'audit_events', 'login_requests', 'outbox_mails'];

interface Header {
  createdAt: string;
  migrations: string[];
  tables: string[];
}

async function tablesOf(client: pg.Client): Promise<string[]> {
  const result = await client.query<{ table_name: string }>(
    `select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
  );
  return result.rows.map((r) => r.table_name).filter((name) => !MIGRATION_TABLES.includes(name));
}

async function migrationsOf(client: pg.Client): Promise<string[]> {
  const result = await client.query<{ name: string }>('select name from kysely_migration order by name');
  return result.rows.map((r) => r.name);
}

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

/** Writes every table of the database at `url` to `file`, from one consistent snapshot. */
export async function backupDatabase(url: string, file: string): Promise<{ tables: number; bytes: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const gzip = createGzip();
  const done = pipeline(gzip, createWriteStream(file, { mode: 0o600 }));
  try {
    await client.query('begin isolation level repeatable read read only');
    const header: Header = { createdAt: new Date().toISOString(), migrations: await migrationsOf(client), tables: await tablesOf(client) };
    await write(gzip, `${MAGIC}\n${JSON.stringify(header)}\n`);
    for (const table of header.tables) {
      await write(gzip, `${table}\n`);
      const rows = client.query(copyTo(`copy ${client.escapeIdentifier(table)} to stdout`));
      for await (const chunk of rows) await write(gzip, (chunk as Buffer).toString('utf8'));
      await write(gzip, '\\.\n');
    }
    await client.query('commit');
    gzip.end();
    await done;
    return { tables: header.tables.length, bytes: gzip.bytesWritten };
  } catch (error) {
    gzip.destroy();
    await done.catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

export class RestoreError extends Error {}

/**
 * Loads a backup into the (migrated, empty) database at `url`, in one transaction: on any error
 * nothing is kept. The rows of a consistent snapshot need no foreign-key checks on the way in
 * (and tables in alphabetical order would fail them), so the load runs as a replica does (the
 * embedded cluster's superuser may); then the id sequences are moved past the restored ids.
 */
export async function restoreDatabase(url: string, file: string): Promise<{ tables: number; rows: number }> {
  const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity })[Symbol.asyncIterator]();
  const next = async () => {
    const line = await lines.next();
    return line.done ? undefined : line.value;
  };
  if ((await next().catch(() => undefined)) !== MAGIC) throw new RestoreError(`${file} is not a Patientportal backup`);
  const header = JSON.parse((await next()) ?? '{}') as Header;

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const migrations = await migrationsOf(client);
    if (JSON.stringify(migrations) !== JSON.stringify(header.migrations)) {
      throw new RestoreError(
        `the backup was made at migration ${header.migrations.at(-1) ?? '(none)'}, this version is at ${migrations.at(-1) ?? '(none)'}: restore it with the same version of Patientportal`,
      );
    }
    const tables = await tablesOf(client);
    // Migrations may seed a table (platform settings, say): those rows are replaced by the
    // backup's. Any row of the clinics' own data means the database is in use: refuse.
    const seeded: string[] = [];
    for (const table of tables) {
      const found = await client.query(`select 1 from ${client.escapeIdentifier(table)} limit 1`);
      if (!found.rowCount) continue;
      if (DATA_TABLES.includes(table)) throw new RestoreError(`the database is not empty (table ${table} has rows): restore into a new data dir or database`);
      seeded.push(table);
    }
    await client.query('begin');
    await client.query('set local session_replication_role = replica');
    for (const table of seeded) await client.query(`delete from ${client.escapeIdentifier(table)}`);
    let rows = 0;
    for (let table = await next(); table !== undefined; table = await next()) {
      if (!tables.includes(table)) throw new RestoreError(`the backup has a table this version does not know: ${table}`);
      const sink = client.query(copyFrom(`copy ${client.escapeIdentifier(table)} from stdin`));
      const source = Readable.from(
        (async function* () {
          for (let line = await next(); line !== '\\.'; line = await next()) {
            if (line === undefined) throw new RestoreError(`the backup ends inside table ${table}: the file is cut short`);
            rows += 1;
            yield `${line}\n`;
          }
        })(),
      );
      await pipeline(source, sink);
    }
    const sequences = await client.query<{ table_name: string; column_name: string }>(
      `select table_name, column_name from information_schema.columns
        where table_schema = 'public' and (is_identity = 'YES' or column_default like 'nextval(%')`,
    );
    for (const { table_name: table, column_name: column } of sequences.rows) {
      const [t, c] = [client.escapeIdentifier(table), client.escapeIdentifier(column)];
      await client.query(`select setval(pg_get_serial_sequence($1, $2), coalesce((select max(${c}) from ${t}), 0) + 1, false)`, [t, column]);
    }
    await client.query('commit');
    return { tables: header.tables.length, rows };
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}
