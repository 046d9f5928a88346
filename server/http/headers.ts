// Security headers on every response, and CORS (off unless DJP_CORS_ORIGINS lists origins).
import type { IncomingMessage, ServerResponse } from 'node:http';

export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function setSecurityHeaders(res: ServerResponse): void {
  res.setHeader('content-security-policy', CSP);
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('cross-origin-opener-policy', 'same-origin');
  res.setHeader('cross-origin-resource-policy', 'same-origin');
  res.setHeader('permissions-policy', 'camera=(), microphone=(), geolocation=()');
}

export function parseOrigins(spec: string | undefined): string[] {
  return (spec ?? '')
    .split(',')
    .map((s) => s.trim().replace(/\/+$/, ''))
    .filter(Boolean);
}

/**
 * Applies CORS for an allowed Origin. Returns true when the request was a preflight that has been
 * answered (the caller stops there).
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (!origin || allowed.length === 0) return false;
  res.setHeader('vary', 'Origin');
  const listed = allowed.includes(origin);
  if (!listed && !allowed.includes('*')) return false;
  if (listed) {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-allow-credentials', 'true');
  } else {
    // "*" lets any site read without credentials; reflecting any origin WITH credentials would let
    // every web page read the runs of a signed-in user (SSO cookie) or of a local server.
    res.setHeader('access-control-allow-origin', '*');
  }
  res.setHeader('access-control-expose-headers', 'X-Request-Id, Content-Disposition');
  if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
    res.setHeader('access-control-allow-methods', 'GET, POST, DELETE, OPTIONS');
    res.setHeader('access-control-allow-headers', 'Content-Type, Last-Event-ID, X-Request-Id, X-File-Name');
    res.setHeader('access-control-max-age', '600');
    res.writeHead(204);
    res.end();
    return true;
  }
  return false;
}

/**
 * Cross-site request forgery guard for state-changing requests (POST, DELETE). A page on another
 * site can send a "simple" POST without a preflight, and a browser attaches an SSO session cookie
 * to it (or, with DJP_AUTH=none, needs none). Such a request is refused unless its Origin is in
 * DJP_CORS_ORIGINS. Browsers say where a request comes from in Sec-Fetch-Site; without it, an
 * Origin that names another host than the request's (Host or X-Forwarded-Host) counts as cross-site.
 * Non-browser clients (curl, scripts) send neither header and are not affected. Bodies are JSON
 * (server/http/body.ts refuses other content types, which forms cannot send) except the raw uploads
 * of the operation table, which require a custom header (X-File-Name) that forms cannot send either.
 * Returns the refusal message, or null when the request may go on.
 */
export function crossSiteRefusal(req: IncomingMessage, allowed: readonly string[]): string | null {
  const method = req.method ?? 'GET';
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return null;
  const origin = typeof req.headers.origin === 'string' ? req.headers.origin : null;
  // Only an origin listed by name may change state cross-site; "*" grants uncredentialed reads only.
  const allowedOrigin = origin !== null && allowed.includes(origin);
  const site = req.headers['sec-fetch-site'];
  let cross: boolean;
  if (typeof site === 'string' && site) {
    cross = site !== 'same-origin' && site !== 'none';
  } else if (origin !== null) {
    let originHost: string | null = null;
    try {
      originHost = new URL(origin).host.toLowerCase();
    } catch {
      originHost = null; // "null" (sandboxed frames, file://) or garbage
    }
    const hosts = [req.headers.host, req.headers['x-forwarded-host']]
      .flatMap((h) => (typeof h === 'string' ? h.split(',') : []))
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean);
    cross = originHost === null || !hosts.includes(originHost);
  } else {
    cross = false;
  }
  if (!cross || allowedOrigin) return null;
  return `cross-site ${method} refused: origin ${origin ?? '(none)'} is not allowed (list trusted origins in DJP_CORS_ORIGINS)`;
}
