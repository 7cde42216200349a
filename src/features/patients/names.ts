import { sql, type RawBuilder } from 'kysely';

/** Splits a full name (as MitID or a request gives it) into given names and family name. */
export function splitName(full: string): { given: string; family: string } {
  const parts = full.trim().split(/\s+/);
  const family = (parts.length > 1 ? parts.pop() : undefined) ?? '-';
  return { given: parts.join(' ') || full, family };
}

/**
 * JavaScript's whitespace (`\s`, what trim() removes) as a PostgreSQL bracket expression, so that
 * splitNameSql splits exactly where splitName does whatever the database's locale calls a space.
 */
const SPACE = String.raw`[\t\n\u000b\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]`;
const WORD = SPACE.replace('[', '[^');

/**
 * splitName in SQL, for a statement that reads the name in the database (an approval takes it
 * from the locked request in the statement that creates the patient record). A test holds the two
 * to the same answers.
 */
export function splitNameSql(name: RawBuilder<string>): { given: RawBuilder<string>; family: RawBuilder<string> } {
  const trimmed = sql<string>`regexp_replace(${name}, ${`^${SPACE}+|${SPACE}+$`}, '', 'g')`;
  const severalWords = sql<boolean>`(${trimmed} ~ ${SPACE})`;
  return {
    given: sql<string>`case when ${severalWords} then regexp_replace(regexp_replace(${trimmed}, ${`${SPACE}+${WORD}+$`}, ''), ${`${SPACE}+`}, ' ', 'g') when ${trimmed} = '' then ${name} else ${trimmed} end`,
    family: sql<string>`case when ${severalWords} then substring(${trimmed} from ${`${WORD}+$`}) else '-' end`,
  };
}
