// Raw bytes in the contract: an operation argument carried as a raw request body (an upload) and a
// result carried as a raw file response (a download). Browser-safe: zod only.
//
// Over HTTP a raw argument is the request body as sent (any content type) and a file result is the
// response body with its Content-Type and a Content-Disposition file name; over the desktop IPC
// both travel as Uint8Array inside the call (Electron's structured clone keeps typed arrays);
// in-process they are Uint8Array (a Node Buffer is one).
import * as z from 'zod';

/** Bytes: a Uint8Array (or a Node Buffer, which is one). */
export const Bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, { error: 'must be the file bytes (a Uint8Array)' });

/** A file an operation returns: its bytes, its media type and the name to save it under. */
export const RawFile = z.object({
  filename: z.string(),
  content_type: z.string(),
  data: Bytes,
});
export type RawFile = z.infer<typeof RawFile>;

/**
 * A file name as a header carries it (X-File-Name): HTTP header values are ASCII, so a client
 * percent-encodes UTF-8 (encodeURIComponent); a plain ASCII name is sent as is.
 */
export function encodeHeaderValue(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) && !value.includes('%') ? value : encodeURIComponent(value);
}

/** The inverse of encodeHeaderValue; a value that is not valid percent-encoding is kept as sent. */
export function decodeHeaderValue(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** A file name safe for Content-Disposition's quoted `filename` (ASCII, no quotes, separators or controls). */
export function asciiFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const safe = base.normalize('NFKD').replace(/[^\x20-\x7e]/g, '').replace(/["\\;%]/g, '_').replace(/^[.\s]+/, '').trim();
  return safe.slice(0, 150) || 'download';
}

/** A Content-Disposition header value that downloads the file under its name (RFC 6266, filename*). */
export function contentDisposition(name: string): string {
  const base = (name.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 200) || 'download';
  return `attachment; filename="${asciiFileName(base)}"; filename*=UTF-8''${encodeURIComponent(base).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

/** The file name a Content-Disposition header gives (filename* first), or null. */
export function fileNameFromDisposition(header: string | null | undefined): string | null {
  if (!header) return null;
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1]!.trim());
    } catch {
      /* fall through to filename= */
    }
  }
  const plain = /filename\s*=\s*"([^"]*)"/i.exec(header) ?? /filename\s*=\s*([^;]+)/i.exec(header);
  return plain ? plain[1]!.trim() : null;
}
