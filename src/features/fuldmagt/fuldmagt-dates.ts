/** A fuldmagt runs to the end of its last day; days are counted in UTC like the rest of the clock-based rules. */
export const todayOf = (now: Date) => now.toISOString().slice(0, 10);

const yearsAhead = (now: Date, years: number) => {
  const day = new Date(Date.UTC(now.getUTCFullYear() + years, now.getUTCMonth(), now.getUTCDate()));
  return todayOf(day);
};

/** The longest a fuldmagt may run (the issue: at most 2 years), and the default (1 year). */
export const latestUntil = (now: Date) => yearsAhead(now, 2);
export const defaultUntil = (now: Date) => yearsAhead(now, 1);

/** A last day from tomorrow up to 2 years ahead. */
export const untilAllowed = (until: string, now: Date) => until > todayOf(now) && until <= latestUntil(now);

/** Active on `now` when its last day is today or later. */
export const stillValid = (validUntil: string, now: Date) => validUntil >= todayOf(now);
