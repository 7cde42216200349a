import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestDatabase, type TestDatabase } from '../../../test/helpers/databases.ts';
import { audit } from './audit.ts';

describe.each(backends)('audit trail on %s', (backend) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(backend);
    await audit(database.db, { type: 'system', id: null, ip: null }, new Date(), { action: 'test.event' });
  });
  afterAll(() => database.drop());

  it('refuses to update an audit row, even from SQL', async () => {
    await expect(sql`update audit_events set action = 'changed'`.execute(database.db)).rejects.toThrow(/append-only/);
  });

  it('refuses to delete or truncate audit rows', async () => {
    await expect(sql`delete from audit_events`.execute(database.db)).rejects.toThrow(/append-only/);
    await expect(sql`truncate audit_events`.execute(database.db)).rejects.toThrow(/append-only/);
    const rows = await database.db.selectFrom('audit_events').select('action').execute();
    expect(rows).toEqual([{ action: 'test.event' }]);
  });

  it('rolls the audit row back with the change it belongs to', async () => {
    await expect(
      database.db.transaction().execute(async (trx) => {
        await audit(trx, { type: 'system', id: null, ip: null }, new Date(), { action: 'doomed' });
        throw new Error('change failed');
      }),
    ).rejects.toThrow('change failed');
    const rows = await database.db.selectFrom('audit_events').select('action').where('action', '=', 'doomed').execute();
    expect(rows).toHaveLength(0);
  });
});
