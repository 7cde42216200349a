import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openEmptyDatabase } from '../../test/helpers/databases.ts';
import { type Database } from './database.ts';

describe('values read from PostgreSQL', () => {
  let db: Database;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ db, drop } = await openEmptyDatabase('type_parsers', { poolSize: 1 }));
  });
  afterAll(() => drop());

  /** Reads `expression` with the session in `zone`, as the pool's parsers turn it into JavaScript. */
  const read = (zone: string, expression: ReturnType<typeof sql>) =>
    db.transaction().execute(async (trx) => {
      await sql`select set_config('TimeZone', ${zone}, true)`.execute(trx);
      const { rows } = await sql<{ value: unknown }>`select ${expression} as value`.execute(trx);
      return rows[0]!.value;
    });

  it('give a timestamptz as the same instant whatever the session time zone', async () => {
    const cases: [string, number][] = [
      ['2026-01-01 00:00:01.5+00', Date.UTC(2026, 0, 1, 0, 0, 1, 500)],
      // Either side of Copenhagen's clock change, and microseconds beyond a Date's milliseconds.
      ['2026-03-29 00:59:59.123456+00', Date.UTC(2026, 2, 29, 0, 59, 59, 123)],
      ['2026-03-29 01:00:00+00', Date.UTC(2026, 2, 29, 1, 0, 0)],
      ['2026-10-25 00:30:00+00', Date.UTC(2026, 9, 25, 0, 30, 0)],
      // A year below 100, which Date.UTC would read as 19xx.
      ['0050-06-01 12:00:00+00', Date.parse('0050-06-01T12:00:00Z')],
    ];
    for (const zone of ['UTC', 'Europe/Copenhagen', 'America/St_Johns', 'Asia/Kathmandu']) {
      for (const [literal, instant] of cases) {
        const value = await read(zone, sql`${sql.lit(literal)}::timestamptz`);
        expect(value, `${literal} in ${zone}`).toBeInstanceOf(Date);
        expect((value as Date).getTime(), `${literal} in ${zone}`).toBe(instant);
      }
    }
    expect(await read('UTC', sql`'infinity'::timestamptz`)).toBe(Infinity);
    expect(await read('UTC', sql`'-infinity'::timestamptz`)).toBe(-Infinity);
    expect(((await read('UTC', sql`'0044-03-15 12:00:00+00 BC'::timestamptz`)) as Date).toISOString()).toBe('-000043-03-15T12:00:00.000Z');
    // A timestamp without time zone is the same wall-clock time in the process's zone.
    expect(((await read('Europe/Copenhagen', sql`'2026-07-01 02:30:00.25'::timestamp`)) as Date).getTime()).toBe(new Date(2026, 6, 1, 2, 30, 0, 250).getTime());
    expect(await read('UTC', sql`null::timestamptz`)).toBeNull();
  });

  it('give text and uuid arrays element for element, quoted, empty, NULL and nested ones included', async () => {
    expect(await read('UTC', sql`array['econsultation', 'booking', 'renewal']`)).toEqual(['econsultation', 'booking', 'renewal']);
    expect(await read('UTC', sql`'{}'::text[]`)).toEqual([]);
    expect(await read('UTC', sql`array['a,b', 'NULL', null, 'x\\y', 'q"r', '', ' s ', '{t}', 'æøå']::text[]`)).toEqual([
      'a,b',
      'NULL',
      null,
      'x\\y',
      'q"r',
      '',
      ' s ',
      '{t}',
      'æøå',
    ]);
    expect(await read('UTC', sql`array['ab'::varchar, 'c d']`)).toEqual(['ab', 'c d']);
    expect(await read('UTC', sql`array[array['a', 'b'], array['c', null]]`)).toEqual([
      ['a', 'b'],
      ['c', null],
    ]);
    const id = '5f0c8a52-4a8e-4c8b-9d0e-2f1b6c3a7e91';
    expect(await read('UTC', sql`array[${id}::uuid, null]`)).toEqual([id, null]);
  });
});
