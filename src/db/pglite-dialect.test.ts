import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestDatabase, type TestDatabase } from '../../test/helpers/databases.ts';

describe.each(backends)('transactions under concurrency on %s', (backend) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(backend);
    await sql`create table counter (id int primary key, value int not null)`.execute(database.db);
    await sql`insert into counter values (1, 0)`.execute(database.db);
  });
  afterAll(() => database.drop());

  it('keeps 20 concurrent read-modify-write transactions apart', async () => {
    await Promise.all(
      Array.from({ length: 20 }, () =>
        database.db.transaction().execute(async (trx) => {
          const { rows } = await sql<{ value: number }>`select value from counter where id = 1 for update`.execute(trx);
          await new Promise((resolve) => setTimeout(resolve, 1));
          await sql`update counter set value = ${rows[0]!.value + 1} where id = 1`.execute(trx);
        }),
      ),
    );
    const { rows } = await sql<{ value: number }>`select value from counter where id = 1`.execute(database.db);
    expect(rows[0]!.value).toBe(20);
  });

  it('rolls back a failed transaction without disturbing the next one', async () => {
    await expect(
      database.db.transaction().execute(async (trx) => {
        await sql`update counter set value = -1 where id = 1`.execute(trx);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const { rows } = await sql<{ value: number }>`select value from counter where id = 1`.execute(database.db);
    expect(rows[0]!.value).toBe(20);
  });

  it('returns int8 columns as numbers on both engines', async () => {
    const { rows } = await sql<{ n: number }>`select count(*) as n from counter`.execute(database.db);
    expect(rows[0]!.n).toBe(1);
  });
});
