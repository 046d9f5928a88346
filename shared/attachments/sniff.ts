// What an uploaded file really is: decided from its bytes, not from its name or a declared type.
// Accepted: PDF (starts with %PDF-), JSON (parses), CSV, Markdown and plain text (valid UTF-8 without
// NULs or binary control characters). The name's extension picks among the text types; a name that
// claims one kind for bytes of another (report.pdf holding text, data.json that does not parse) is
// refused, as is anything binary (images, archives, executables).
import { DjpError, type AttachmentMediaType } from '../api/index.js';

export const ATTACHMENT_EXTENSIONS = ['.md', '.markdown', '.txt', '.pdf', '.csv', '.json'] as const;

function unsupported(name: string, why: string): DjpError {
  return new DjpError('unsupported_type', `${name}: ${why}; attach .md, .txt, .pdf, .csv or .json files`, 'file');
}

function extOf(name: string): string {
  const i = name.lastIndexOf('.');
  return i > 0 ? name.slice(i).toLowerCase() : '';
}

const MAGIC: Array<[string, number[]]> = [
  ['a PNG image', [0x89, 0x50, 0x4e, 0x47]],
  ['a JPEG image', [0xff, 0xd8, 0xff]],
  ['a GIF image', [0x47, 0x49, 0x46, 0x38]],
  ['a ZIP archive (or an Office document)', [0x50, 0x4b, 0x03, 0x04]],
  ['a gzip archive', [0x1f, 0x8b]],
  ['an executable', [0x7f, 0x45, 0x4c, 0x46]],
  ['an executable', [0x4d, 0x5a]],
];

function startsWith(data: Uint8Array, bytes: number[]): boolean {
  return bytes.every((b, i) => data[i] === b);
}

/** The UTF-8 text, or null when the bytes are not text (invalid UTF-8, NULs, binary controls). */
export function asText(data: Uint8Array): string | null {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return null;
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000e-\u001a\u001c-\u001f]/.test(text)) return null;
  return text.replace(/^\uFEFF/, '');
}

export function sniffMediaType(name: string, data: Uint8Array): AttachmentMediaType {
  const ext = extOf(name);
  const isPdf = startsWith(data, [0x25, 0x50, 0x44, 0x46, 0x2d]); // %PDF-
  if (isPdf) {
    if (ext !== '.pdf') throw unsupported(name, `the content is a PDF but the name ends in ${ext || '(no extension)'}; name it .pdf`);
    return 'application/pdf';
  }
  for (const [what, magic] of MAGIC) if (startsWith(data, magic)) throw unsupported(name, `the content is ${what}`);
  if (ext === '.pdf') throw unsupported(name, 'the name ends in .pdf but the content is not a PDF');
  const text = asText(data);
  if (text === null) throw unsupported(name, 'the content is binary, not text');
  switch (ext) {
    case '.json':
      try {
        JSON.parse(text);
      } catch (e) {
        throw unsupported(name, `the name ends in .json but the content is not JSON (${(e as Error).message})`);
      }
      return 'application/json';
    case '.csv':
      return 'text/csv';
    case '.md':
    case '.markdown':
      return 'text/markdown';
    case '.txt':
      return 'text/plain';
    default:
      throw unsupported(name, `files ending in ${ext || '(no extension)'} are not accepted`);
  }
}
