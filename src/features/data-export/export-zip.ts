import { strToU8, zipSync, type Zippable } from 'fflate';
import type { PersonData } from './export-data.ts';
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
 * The ZIP the patient downloads: index.html, one JSON file per area and the attachments as files.
 * Attachments (PNG, JPEG, PDF) are compressed already, so they are stored as they are.
 */
export function buildExportZip(data: PersonData, generatedAt: Date): Uint8Array {
  const mtime = generatedAt;
  const entries: Zippable = { 'index.html': [strToU8(renderExportHtml(data.files, generatedAt)), { mtime }] };
  for (const [name, key] of Object.entries(EXPORT_JSON_FILES)) {
    entries[name] = [strToU8(JSON.stringify(data.files[key], null, 2)), { mtime }];
  }
  for (const file of data.attachments) entries[file.path] = [file.data, { level: 0, mtime }];
  return zipSync(entries, { level: 6 });
}
