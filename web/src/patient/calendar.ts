/**
 * An iCalendar (RFC 5545) event for one booked time, for "Føj til kalender". Written here rather
 * than with a library: no iCalendar package is installed yet (`ics` is requested), and one
 * event needs only these few lines, with text escaped as §3.3.11 says.
 */
export function appointmentIcs(input: { id: string; startsAt: string; durationMinutes: number; summary: string; location: string; now?: Date }): string {
  const stamp = (d: Date) =>
    d
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
  const text = (s: string) => s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
  const start = new Date(input.startsAt);
  const end = new Date(start.getTime() + input.durationMinutes * 60_000);
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Patientportal//Tidsbestilling//DA',
    'BEGIN:VEVENT',
    `UID:${input.id}@patientportal`,
    `DTSTAMP:${stamp(input.now ?? new Date())}`,
    `DTSTART:${stamp(start)}`,
    `DTEND:${stamp(end)}`,
    `SUMMARY:${text(input.summary)}`,
    `LOCATION:${text(input.location)}`,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}
