// JSON responses and the mapping of errors to HTTP statuses (DjpError codes → shared/api/errors.ts).
import type { ServerResponse } from 'node:http';
import { DjpError, isDjpError } from '../../shared/api/index.js';

export function sendJson(res: ServerResponse, status: number, body: unknown, extraHeaders?: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...extraHeaders,
  });
  res.end(text);
}

/** Turns anything thrown into {status, body}. Unknown errors become a 500 without internal detail. */
export function errorResponse(e: unknown): { status: number; body: ReturnType<DjpError['toJSON']>; internal: boolean } {
  if (isDjpError(e)) {
    const d = e as { code: DjpError['code']; message: string; field?: string };
    const err = e instanceof DjpError ? e : new DjpError(d.code, d.message, d.field);
    return { status: err.httpStatus, body: err.toJSON(), internal: err.code === 'internal' };
  }
  return { status: 500, body: { error: { code: 'internal', message: 'internal server error' } }, internal: true };
}

export function sendError(res: ServerResponse, e: unknown): { status: number; internal: boolean } {
  const { status, body, internal } = errorResponse(e);
  if (res.headersSent) {
    res.destroy();
  } else {
    const extra: Record<string, string> = status === 401 ? { 'www-authenticate': 'SSO realm="djp"' } : {};
    // 429: Retry-After in seconds; the body's field names the limit (DJP_RUNS_PER_MINUTE, …).
    const retry = (e as { retryAfterS?: unknown }).retryAfterS;
    if (status === 429 && typeof retry === 'number' && Number.isFinite(retry)) extra['retry-after'] = String(Math.max(1, Math.ceil(retry)));
    sendJson(res, status, body, extra);
  }
  return { status, internal };
}
