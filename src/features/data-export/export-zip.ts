import { strToU8, Zip, ZipDeflate, ZipPassThrough, type ZipInputFile } from 'fflate';
import type { PersonData } from './export-data.ts';
import type { ExportPartWriter } from './export-parts.ts';
import { renderExportHtml } from './export-html.ts';

/** The JSON files of the export and the key of PersonData['files'] each holds. */
export const EXPORT_JSON_FILES = {
  'account.json': 'account',
  'clinics.json': 'clinics',
  'login-requests.json': 'loginRequests',
  'econsultations.json': 'econsultations',
  'appointments.json': 'appointments',
  'medications.json': 'medications',
  'renewals.json': 'renewals',
  'my-log.json': 'myLog',
} as const satisfies Record<string, keyof PersonData['files']>;

/**
 * Streams the ZIP the patient downloads into `out`: index.html, one JSON file per area (deflated)
 * and the attachments as files. Attachments (PNG, JPEG, PDF) are compressed already, so they are
 * stored as they are (no CPU spent). They are read one at a time, each added whole and the full
 * parts written before the next is read: memory holds one attachment and one part, whatever the
 * size of the history, and every read and write awaits the database, so the event loop serves
 * requests in between.
 */
export async function writeExportZip(
  data: PersonData,
  readAttachment: (id: string) => Promise<Uint8Array>,
  out: ExportPartWriter,
  generatedAt: Date,
): Promise<void> {
  const state: { failure: Error | null; ended: boolean } = { failure: null, ended: false };
  const zip = new Zip((error, chunk, final) => {
    if (error) state.failure = error;
    else if (!state.failure) {
      try {
        out.push(chunk);
      } catch (tooLarge) {
        state.failure = tooLarge as Error;
      }
    }
    if (final) state.ended = true;
  });
  // Files are added one after another, each finished before the next: fflate would otherwise
  // buffer a later file's bytes until the earlier one ends.
  const add = async (file: ZipInputFile & { push(chunk: Uint8Array, final: boolean): void }, bytes: Uint8Array) => {
    file.mtime = generatedAt;
    zip.add(file);
    file.push(bytes, true);
    if (state.failure) throw state.failure;
    await out.flushFull();
  };

  await add(new ZipDeflate('index.html', { level: 6 }), strToU8(renderExportHtml(data.files, generatedAt)));
  for (const [name, key] of Object.entries(EXPORT_JSON_FILES)) {
    await add(new ZipDeflate(name, { level: 6 }), strToU8(JSON.stringify(data.files[key], null, 2)));
  }
  for (const file of data.attachments) await add(new ZipPassThrough(file.path), await readAttachment(file.id));
  zip.end();
  if (state.failure) throw state.failure;
  if (!state.ended) throw new Error('data export: the ZIP did not end');
}
