import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { backends } from '../../../test/helpers/databases.ts';
import { startTestApp, type TestApp } from '../../../test/helpers/test-app.ts';
import { splitName, splitNameSql } from './names.ts';

const NAMES = [
  'Anna Hansen',
  'Anna Marie Østergaard Hansen',
  '  Søren   Åge\tÆbelø  ',
  'Madonna',
  '  Cher  ',
  '',
  '   ',
  'Ida\u00a0Nørgaard',
  'Ida\u2003Marie\u3000Bøgh',
  'Jens\nPeter Kofoed',
  'Ib\ufeff',
  'José María García-López',
];

describe.each(backends)('splitting a name in SQL on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(() => t.close());

  it('gives the given names and family name that splitName gives, whitespace of every kind included', async () => {
    for (const name of NAMES) {
      const { given, family } = splitNameSql(sql<string>`${name}::text`);
      const { rows } = await sql<{ given: string; family: string }>`select ${given} as given, ${family} as family`.execute(t.ctx.db);
      expect(rows[0], JSON.stringify(name)).toEqual(splitName(name));
    }
  });
});
