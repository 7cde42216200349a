import { describe, expect, it } from 'vitest';
import { checkAttachments, nameWithTypeExtension } from './attachments.ts';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const b64 = (b: Buffer) => b.toString('base64');

describe('attachment names', () => {
  it('stores a PNG followed by HTML, named poly.html, under the PNG extension', () => {
    const polyglot = Buffer.concat([PNG, Buffer.from('<html><script>alert(1)</script></html>')]);
    const [checked] = checkAttachments([{ filename: 'poly.html', data: b64(polyglot) }]);
    expect(checked).toMatchObject({ filename: 'poly.png', contentType: 'image/png' });
  });

  it('keeps a name whose extension already fits the sniffed type, and adds one to a name without', () => {
    expect(nameWithTypeExtension('scan.JPEG', 'image/jpeg')).toBe('scan.JPEG');
    expect(nameWithTypeExtension('henvisning', 'application/pdf')).toBe('henvisning.pdf');
    expect(nameWithTypeExtension('brev.pdf.exe', 'application/pdf')).toBe('brev.pdf.pdf');
    expect(nameWithTypeExtension('.html', 'image/png')).toBe('.html.png');
  });
});
