import type { PersonData } from './export-data.ts';

/** Every text from the database goes through this: the page must show it, never run it. */
export function escapeHtml(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '–';
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const danishTime = new Intl.DateTimeFormat('da-DK', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Copenhagen' });
const when = (iso: string | null) => (iso ? escapeHtml(danishTime.format(new Date(iso))) : '–');
const yesNo = (value: boolean) => (value ? 'Ja' : 'Nej');

const FUNCTIONS: Record<string, string> = { econsultation: 'E-konsultation', booking: 'E-tidsbestilling', renewal: 'E-receptfornyelse' };
const functions = (rights: readonly string[] | null) => (rights?.length ? escapeHtml(rights.map((r) => FUNCTIONS[r] ?? r).join(', ')) : 'Ingen');
const STATUS: Record<string, string> = {
  open: 'Afventer',
  approved: 'Godkendt',
  rejected: 'Afvist',
  closed: 'Lukket',
  requested: 'Anmodet',
};
const status = (s: string | null) => escapeHtml(s ? (STATUS[s] ?? s) : null);

/** A table with a caption; each row's cells are already escaped. */
function table(caption: string, headers: string[], rows: string[][], empty: string): string {
  if (!rows.length) return `<h2>${caption}</h2><p>${empty}</p>`;
  const head = headers.map((h) => `<th scope="col">${h}</th>`).join('');
  const body = rows.map((cells) => `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<h2>${caption}</h2><table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function econsultations(data: PersonData['files']['econsultations']): string {
  if (!data.length) return '<h2>E-konsultationer</h2><p>Ingen e-konsultationer.</p>';
  const threads = data.map((t) => {
    const messages = t.messages.map((m) => {
      const files = m.attachments.map((a) => `<li><a href="${escapeHtml(a.file)}">${escapeHtml(a.filename)}</a> (${escapeHtml(a.size)} byte)</li>`).join('');
      const who = m.sender === 'patient' ? 'Dig' : escapeHtml(m.staffName ?? t.clinic);
      return `<li><p class="meta">${when(m.sentAt)}, ${who}</p><p class="text">${escapeHtml(m.text)}</p>${files ? `<ul>${files}</ul>` : ''}</li>`;
    });
    return `<section><h3>${escapeHtml(t.subject)}</h3><p class="meta">${escapeHtml(t.clinic)}, startet ${when(t.startedAt)}, ${status(t.status)}</p><ol>${messages.join('')}</ol></section>`;
  });
  return `<h2>E-konsultationer</h2>${threads.join('\n')}`;
}

/** index.html: the export as one readable Danish page, self-contained, without scripts. */
export function renderExportHtml(data: PersonData['files'], generatedAt: Date): string {
  const a = data.account;
  const sections = [
    `<h2>Dit login</h2><dl><dt>CPR-nummer</dt><dd>${escapeHtml(a.cpr)}</dd><dt>E-mail</dt><dd>${escapeHtml(a.email)}</dd>` +
      `<dt>Telefon</dt><dd>${escapeHtml(a.phone)}</dd><dt>Oprettet</dt><dd>${when(a.createdAt)}</dd><dt>Aktiveret</dt><dd>${when(a.activatedAt)}</dd>` +
      `<dt>Adgangskode valgt</dt><dd>${yesNo(a.hasPassword)}</dd><dt>Knyttet til MitID</dt><dd>${yesNo(a.linkedToMitid)}</dd></dl>`,
    table(
      'Klinikker og rettigheder',
      ['Klinik', 'Navn hos klinikken', 'Adresse', 'Telefon og e-mail hos klinikken', 'Rettigheder', 'Ønsker svar elektronisk', 'Siden', 'Afsluttet'],
      data.clinics.map((c) => [
        escapeHtml(c.clinic),
        escapeHtml(`${c.record.givenName} ${c.record.familyName}`),
        escapeHtml([c.record.address, c.record.postalCode, c.record.city].filter(Boolean).join(', ')),
        escapeHtml([c.record.phone, c.record.email].filter(Boolean).join(', ')),
        functions(c.rights),
        yesNo(c.wantsElectronicReply),
        when(c.since),
        c.endedAt ? `${when(c.endedAt)} (${c.endedBy === 'patient' ? 'af dig' : 'af klinikken'})` : '–',
      ]),
      'Ingen klinikker.',
    ),
    table(
      'Loginbestillinger',
      ['Klinik', 'Modtaget', 'Status', 'Begrundelse for afvisning', 'Behandlet'],
      data.loginRequests.map((r) => [escapeHtml(r.clinic), when(r.receivedAt), status(r.status), escapeHtml(r.rejectionReason), when(r.handledAt)]),
      'Ingen loginbestillinger.',
    ),
    econsultations(data.econsultations),
    table(
      'Tider',
      ['Klinik', 'Tidspunkt', 'Varighed (min.)', 'Hos', 'Type', 'Booket', 'Aflyst'],
      data.appointments.map((t) => [
        escapeHtml(t.clinic),
        when(t.startsAt),
        escapeHtml(t.durationMinutes),
        escapeHtml(t.practitioner),
        escapeHtml(t.kind),
        when(t.bookedAt),
        when(t.cancelledAt),
      ]),
      'Ingen tider.',
    ),
    table(
      'Medicinliste',
      ['Klinik', 'Medicin', 'Dosering', 'Kan fornyes online', 'Seneste fornyelse', 'Klinikkens bemærkning'],
      data.medications.map((m) => [
        escapeHtml(m.clinic),
        escapeHtml(m.name),
        escapeHtml(m.dosage),
        yesNo(m.renewableOnline),
        status(m.renewalStatus),
        escapeHtml(m.renewalNote),
      ]),
      'Ingen medicin.',
    ),
    table(
      'Receptfornyelser',
      ['Klinik', 'Medicin', 'Status', 'Bemærkning', 'Anmodet', 'Behandlet'],
      data.renewals.map((r) => [escapeHtml(r.clinic), escapeHtml(r.medication), status(r.status), escapeHtml(r.note), when(r.requestedAt), when(r.handledAt)]),
      'Ingen anmodninger om fornyelse.',
    ),
    table(
      'Min log',
      ['Tidspunkt', 'Klinik', 'Hvem', 'Hvad'],
      data.myLog.map((e) => [when(e.at), escapeHtml(e.clinic), e.who ? escapeHtml(e.who.name) : 'Dig', escapeHtml(e.text.da)]),
      'Ingen hændelser.',
    ),
  ];
  return `<!doctype html>
<html lang="da">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Dine data fra Patientportal</title>
<style>
body{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;line-height:1.4;color:#1a1a1a}
table{border-collapse:collapse;width:100%;margin-bottom:1rem;display:block;overflow-x:auto}
th,td{border:1px solid #999;padding:.3rem .5rem;text-align:left;vertical-align:top}
dt{font-weight:bold}dd{margin:0 0 .5rem}.meta{color:#555;margin:.2rem 0}.text{white-space:pre-wrap}
section{border-top:1px solid #ccc;margin-top:1rem}
</style>
</head>
<body>
<h1>Dine data fra Patientportal</h1>
<p>Lavet ${when(generatedAt.toISOString())}. Det samme står i JSON-filerne ved siden af denne side, og vedhæftede filer ligger i mappen <code>attachments</code>.
Dine journaloplysninger hos klinikken er ikke med: dem får du hos klinikken eller på sundhed.dk.</p>
${sections.join('\n')}
</body>
</html>
`;
}
