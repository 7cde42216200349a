import { errors } from '../../errors.ts';

export const MAX_ATTACHMENTS = 3;
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

export interface IncomingAttachment {
  filename: string;
  /** base64 */
  data: string;
}

export interface CheckedAttachment {
  filename: string;
  contentType: 'image/png' | 'image/jpeg' | 'application/pdf';
  data: Buffer;
}

/** The type comes from the file's first bytes, never from its name or the client's word. */
function sniff(data: Buffer): CheckedAttachment['contentType'] | null {
  if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  return null;
}

const EXTENSIONS: Record<CheckedAttachment['contentType'], string[]> = {
  'image/png': ['png'],
  'image/jpeg': ['jpg', 'jpeg'],
  'application/pdf': ['pdf'],
};

/**
 * The name a file is stored and served under ends in its sniffed type's extension, whatever it
 * was called: a PNG that is also HTML, named "poly.html", becomes "poly.png", so no program opens
 * it as a page.
 */
export function nameWithTypeExtension(filename: string, contentType: string): string {
  const allowed = Object.hasOwn(EXTENSIONS, contentType) ? EXTENSIONS[contentType as CheckedAttachment['contentType']] : ['bin'];
  const dot = filename.lastIndexOf('.');
  const extension = dot > 0 ? filename.slice(dot + 1).toLowerCase() : '';
  if (allowed.includes(extension)) return filename;
  const base = (dot > 0 ? filename.slice(0, dot) : filename) || 'fil';
  return `${base}.${allowed[0] ?? 'bin'}`;
}

export function checkAttachments(items: IncomingAttachment[] | undefined): CheckedAttachment[] {
  const list = items ?? [];
  if (list.length > MAX_ATTACHMENTS) {
    throw errors.validation('attachments', { da: 'Højst 3 vedhæftede filer.', en: 'At most 3 attachments.' });
  }
  return list.map((item) => {
    const data = Buffer.from(item.data, 'base64');
    if (data.length === 0 || data.length > MAX_ATTACHMENT_BYTES) {
      throw errors.validation('attachments', { da: 'En fil må højst fylde 10 MB.', en: 'A file may be at most 10 MB.' });
    }
    const contentType = sniff(data);
    if (!contentType) {
      throw errors.validation('attachments', { da: 'Kun billeder (PNG, JPEG) og PDF-filer.', en: 'Only images (PNG, JPEG) and PDF files.' });
    }
    const filename = nameWithTypeExtension(item.filename.replace(/[^\p{L}\p{N}._ -]/gu, '_').slice(0, 120) || 'fil', contentType);
    return { filename, contentType, data };
  });
}
