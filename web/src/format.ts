import type { Lang } from './i18n.tsx';

const locale = (lang: Lang) => (lang === 'da' ? 'da-DK' : 'en-GB');
/** Clinic times are Danish times, wherever the browser is. */
const timeZone = 'Europe/Copenhagen';

export function formatDateTime(iso: string, lang: Lang): string {
  return new Intl.DateTimeFormat(locale(lang), { dateStyle: 'short', timeStyle: 'short', timeZone }).format(new Date(iso));
}

/** A calendar date (YYYY-MM-DD, as the API sends birth dates) as dd.mm.yyyy, the Danish way. */
export function formatDate(date: string | null): string {
  const m = date ? /^(\d{4})-(\d{2})-(\d{2})/.exec(date) : null;
  return m ? `${m[3]}.${m[2]}.${m[1]}` : (date ?? '');
}

/** The Danish calendar day of an instant, as YYYY-MM-DD (for grouping times by day). */
export function dayKey(iso: string | Date): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
}

/** "Fredag 27. november" / "Friday 27 November". */
export function formatDay(key: string, lang: Lang): string {
  // Built from parts: browsers' date patterns differ ("torsdag den 26. november" in some).
  const d = new Date(`${key}T12:00:00Z`);
  const part = (options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(locale(lang), { ...options, timeZone: 'UTC' }).format(d);
  const weekday = part({ weekday: 'long' });
  const day = String(d.getUTCDate());
  const text = lang === 'da' ? `${weekday} ${day}. ${part({ month: 'long' })}` : `${weekday} ${day} ${part({ month: 'long' })}`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "fre. 27.11" for a day strip button: weekday short and day. */
export function formatDayShort(key: string, lang: Lang): { weekday: string; date: string } {
  const d = new Date(`${key}T12:00:00Z`);
  return {
    weekday: new Intl.DateTimeFormat(locale(lang), { weekday: 'short', timeZone: 'UTC' }).format(d),
    date: `${key.slice(8, 10)}.${key.slice(5, 7)}`,
  };
}

/** "08.00" (Danish) / "08:00". */
export function formatTime(iso: string, lang: Lang): string {
  return new Intl.DateTimeFormat(locale(lang), { hour: '2-digit', minute: '2-digit', timeZone }).format(new Date(iso));
}

/** "fredag 27.11 kl. 08.00" for a confirmation question. */
export function formatWhen(iso: string, lang: Lang): string {
  const key = dayKey(iso);
  const weekday = new Intl.DateTimeFormat(locale(lang), { weekday: 'long', timeZone: 'UTC' }).format(new Date(`${key}T12:00:00Z`));
  return lang === 'da'
    ? `${weekday} ${key.slice(8, 10)}.${key.slice(5, 7)} kl. ${formatTime(iso, lang)}`
    : `${weekday} ${key.slice(8, 10)}/${key.slice(5, 7)} at ${formatTime(iso, lang)}`;
}

/** Adds days to a YYYY-MM-DD key. */
export function addDays(key: string, days: number): string {
  const d = new Date(`${key}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The Monday of the week a YYYY-MM-DD key is in. */
export function mondayOf(key: string): string {
  const weekday = (new Date(`${key}T12:00:00Z`).getUTCDay() + 6) % 7;
  return addDays(key, -weekday);
}
