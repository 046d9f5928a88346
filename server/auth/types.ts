// What every auth mode provides: turn an incoming request into a verified Identity, or refuse it.
import type { IncomingMessage } from 'node:http';
import { DjpError, type Identity } from '../../shared/api/index.js';

export const AUTH_MODES = ['none', 'alb', 'iap', 'cloudflare', 'proxy'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export interface Authenticator {
  readonly mode: AuthMode;
  /** Resolves the caller's identity; throws DjpError('unauthorized') when it cannot be verified. */
  authenticate(req: IncomingMessage): Promise<Identity>;
}

/** Thrown at startup when DJP_AUTH settings are incomplete or contradictory: the server refuses to start. */
export class AuthConfigError extends Error {
  override readonly name = 'AuthConfigError';
}

/** The 401 every mode throws. The message says what was wrong without echoing the token. */
export function unauthorized(message: string): DjpError {
  return new DjpError('unauthorized', message);
}

/** A single header value (first one when repeated), or null. */
export function header(req: IncomingMessage, name: string): string | null {
  const v = req.headers[name.toLowerCase()];
  const s = Array.isArray(v) ? v[0] : v;
  return s && s.trim() ? s.trim() : null;
}

/** A user id from verified claims: email first, then subject, then a Cloudflare service token's
 *  common_name (service tokens carry an empty sub). */
export function userFromClaims(claims: Record<string, unknown>): string | null {
  for (const k of ['email', 'sub', 'common_name'] as const) {
    const v = claims[k];
    if (typeof v === 'string' && v.trim() && v.length <= 320) return v.trim();
  }
  return null;
}
