import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../db/database.ts';
import { backends, createTestDatabase, type TestDatabase } from '../../../test/helpers/databases.ts';
import { listOpenRequests } from './queue.repository.ts';

describe.each(backends)('the Loginbestillinger page’s plan on %s', (backend) => {
  let test: TestDatabase;
  // One connection, so the statement the page prepared is the one asked about.
  let db: Database;
  let big: string;

  beforeAll(async () => {
    test = await createTestDatabase(backend);
    db = openDatabase({ url: test.url, poolSize: 1 });
    // A clinic with many open requests among many with few, vacuumed and analysed as a database
    // that has run a while, so the planner knows the big clinic from the column's statistics.
    await sql`insert into clinics (name, slug, specialty, uses_mitid, self_registration)
      select 'Klinik ' || i, 'klinik-' || i, 'speciallaege', true, 'manual' from generate_series(1, 1000) i`.execute(db);
    await sql`insert into login_requests (clinic_id, cpr, name, birth_date, email, identity_verified, status, reason, created_at)
      select c.id, lpad(i::text, 10, '0'), 'Anmoder ' || i, '1980-01-01', 'r' || i || '@example.test', 'mitid',
        case when i <= 5000 or i % 2 = 0 then 'open' else 'rejected' end, 'manual_clinic', timestamptz '2026-01-01' + i * interval '1 second'
      from generate_series(1, 100000) i join clinics c on c.slug = case when i <= 5000 then 'klinik-1' else 'klinik-' || (2 + i % 999) end`.execute(db);
    await sql`vacuum analyze`.execute(db);
    big = (await sql<{ id: string }>`select id from clinics where slug = 'klinik-1'`.execute(db)).rows[0]!.id;
  });
  afterAll(async () => {
    await db.destroy();
    await test.drop();
  });

  it('is planned once: after its first five runs PostgreSQL keeps one generic plan, and it still pages correctly', async () => {
    for (let i = 0; i < 10; i++) await listOpenRequests(db, [big], undefined);
    const plans = await sql<{ generic_plans: number; custom_plans: number }>`select generic_plans::int, custom_plans::int from pg_prepared_statements
      where statement like '%from login_requests%' and statement like '%previous_ended_by%'`.execute(db);
    // A status given as a parameter, as the query builder gave it, cannot use the partial index in a
    // generic plan, and PostgreSQL then plans every run anew.
    expect(plans.rows).toEqual([{ generic_plans: 5, custom_plans: 5 }]);
    const first = await listOpenRequests(db, [big], undefined);
    const second = await listOpenRequests(db, [big], first.nextCursor!);
    expect(first.rows).toHaveLength(50);
    expect(second.rows[0]!.created_at.getTime()).toBeGreaterThan(first.rows.at(-1)!.created_at.getTime());
  });
});
