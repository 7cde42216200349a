import { sql, type Kysely, type OperationNodeSource } from 'kysely';
import { prepared } from './database.ts';
import type { DB } from './schema.ts';

/**
 * Runs several writes as one statement: PostgreSQL's data-modifying CTEs
 * (`with w0 as (insert …), w1 as (update …) select 1`). One round trip instead of one per write,
 * and one atomic change even outside a transaction. On these two-core machines a round trip costs
 * about as much server CPU as the SQL it carries (bench:login), so hot paths that write a change,
 * its audit row, its event and its mail together use this.
 *
 * The writes all see the snapshot from before the statement, and none sees another's effect: use it
 * only for writes to different rows that do not depend on each other (never, say, retiring a live
 * token and inserting its successor under a unique index on live tokens).
 */
export async function writeAsOneStatement(db: Kysely<DB>, writes: (OperationNodeSource | undefined)[], options: { prepared?: boolean } = {}): Promise<void> {
  const parts = writes.filter((write) => write !== undefined);
  if (parts.length === 0) return;
  const statement =
    parts.length === 1 ? sql`${parts[0]}` : sql`with ${sql.join(parts.map((write, i) => sql`${sql.raw(`w${String(i)}`)} as (${write})`))} select 1`;
  // A hot path whose writes have a fixed shape may keep the statement prepared (see prepared()).
  await (options.prepared ? prepared(statement) : statement).execute(db);
}
