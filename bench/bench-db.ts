import pg from 'pg';
import { openDatabase, type Database } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';

/** A fresh database of the benchmark's own on the server named by DATABASE_URL. */
export async function freshBenchDatabase(name: string): Promise<{ db: Database; url: string }> {
  const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  const db = openDatabase({ url: url.toString(), poolSize: 20 });
  await migrateToLatest(db);
  return { db, url: url.toString() };
}
