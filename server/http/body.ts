// Reads a JSON request body with a byte limit (413 beyond it) and parses it (400 when not JSON).
import type { IncomingMessage } from 'node:http';
import { DjpError } from '../../shared/api/index.js';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new DjpError('too_large', `request body is ${declared} bytes; the limit is ${maxBytes} (DJP_MAX_BODY_BYTES)`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > maxBytes) throw new DjpError('too_large', `request body exceeds the limit of ${maxBytes} bytes (DJP_MAX_BODY_BYTES)`);
    chunks.push(b);
  }
  if (size === 0) return undefined;
  const type = String(req.headers['content-type'] ?? '');
  // A missing content-type is refused too: a browser sends none for a typeless Blob body, which is
  // a "simple" cross-site request that skips the CORS preflight.
  if (!/^application\/(.+\+)?json\b/i.test(type)) {
    throw new DjpError('invalid', `content-type must be application/json, got ${type ? type.split(';')[0] : 'none'}`);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new DjpError('invalid', 'request body is not valid JSON');
  }
}

function sizeText(bytes: number): string {
  const m = bytes / (1024 * 1024);
  return m >= 1 ? `${Number.isInteger(m) ? m : m.toFixed(1)} MB` : `${bytes} bytes`;
}

/**
 * Reads a raw (non-JSON) request body as bytes, refusing it with 413 (naming `field` and the limit's
 * variable) as soon as it passes `maxBytes`: a declared Content-Length over the limit is refused
 * before anything is read, and a body sent without one is counted as it streams in, never buffered
 * past the limit. The server answers with `Connection: close`, leaving the rest unread.
 */
export async function readRawBody(req: IncomingMessage, maxBytes: number, limitEnv: string, field: string): Promise<Uint8Array> {
  const over = () => new DjpError('too_large', `the upload is over the limit of ${sizeText(maxBytes)} (${limitEnv})`, field);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw over();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > maxBytes) throw over();
    chunks.push(b);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}

/** A raw body's limit from the environment: a whole number of bytes above 0, else the default. */
export function rawBodyLimit(env: Record<string, string | undefined>, limitEnv: string, defaultLimit: number): number {
  const raw = env[limitEnv];
  const n = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
  return Number.isInteger(n) && n > 0 ? n : defaultLimit;
}
