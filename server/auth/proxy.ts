// oauth2-proxy and similar: the proxy authenticates and passes the user in ONE header, named by
// DJP_AUTH_PROXY_HEADER (default X-Auth-Request-Email, as oauth2-proxy's --set-xauthrequest sets it).
// That header is believed only when the TCP peer is a configured proxy. Every other identity header
// (X-Forwarded-Email, X-Forwarded-User, Remote-User, …) is ignored and logged: nginx passes headers the
// client sent unless told to clear them, so believing "the first of several" let a signed-in user
// claim any identity by sending X-Forwarded-Email themselves.
import { BlockList, isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { Identity } from '../../shared/api/index.js';
import { AuthConfigError, header, unauthorized, type Authenticator } from './types.js';

/** oauth2-proxy's --set-xauthrequest header, the default for DJP_AUTH_PROXY_HEADER. */
export const DEFAULT_PROXY_HEADER = 'x-auth-request-email';

/**
 * Headers some proxy or client could use to claim an identity. All but the configured one are
 * ignored; their presence is logged (names only, never values).
 */
export const IDENTITY_HEADERS = [
  'x-auth-request-email',
  'x-auth-request-user',
  'x-auth-request-preferred-username',
  'x-forwarded-email',
  'x-forwarded-user',
  'x-forwarded-preferred-username',
  'x-email',
  'x-user',
  'x-remote-user',
  'remote-user',
  'x-webauth-user',
] as const;

const HEADER_NAME_RE = /^[A-Za-z0-9-]{1,100}$/;

/** Validates DJP_AUTH_PROXY_HEADER (a header name, not a value) and lower-cases it. */
export function parseProxyHeader(spec: string | undefined): string {
  const name = (spec ?? '').trim();
  if (!name) return DEFAULT_PROXY_HEADER;
  if (!HEADER_NAME_RE.test(name)) throw new AuthConfigError(`DJP_AUTH_PROXY_HEADER: "${name}" is not an HTTP header name (letters, digits and dashes, e.g. X-Auth-Request-Email)`);
  const lower = name.toLowerCase();
  if (lower === 'authorization' || lower === 'cookie' || lower === 'host') throw new AuthConfigError(`DJP_AUTH_PROXY_HEADER: "${name}" cannot carry the identity`);
  return lower;
}

/** Where the authenticator reports ignored identity headers (the server's logger fits). */
export interface ProxyLog {
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface ProxyOptions {
  /** The one header that carries the verified email (lower-case); default X-Auth-Request-Email. */
  header?: string;
  log?: ProxyLog;
  /** Minimum time between two log lines about the same ignored header (default 60 s). */
  logEveryMs?: number;
}

/** Parses "10.0.0.5, 10.1.0.0/16, ::1" into a BlockList; throws AuthConfigError naming a bad entry. */
export function parseTrustedProxies(spec: string): BlockList {
  const list = new BlockList();
  const entries = spec.split(',').map((s) => s.trim()).filter(Boolean);
  if (entries.length === 0) throw new AuthConfigError('DJP_AUTH_TRUSTED_PROXIES is empty: list the proxy addresses (IPs or CIDRs, comma-separated)');
  for (const entry of entries) {
    const [addr = '', prefix] = entry.split('/');
    const family = isIP(addr);
    if (!family) throw new AuthConfigError(`DJP_AUTH_TRUSTED_PROXIES: "${entry}" is not an IP address or CIDR`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) {
      list.addAddress(addr, type);
    } else {
      const n = Number(prefix);
      if (!/^\d+$/.test(prefix) || n > (family === 4 ? 32 : 128)) throw new AuthConfigError(`DJP_AUTH_TRUSTED_PROXIES: "${entry}" has an invalid prefix length`);
      list.addSubnet(addr, n, type);
    }
  }
  return list;
}

/** True when `address` (as seen on the socket; IPv4-mapped IPv6 included) is in the list. */
export function isTrusted(list: BlockList, address: string | undefined): boolean {
  if (!address) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const a = mapped?.[1] ?? address;
  const family = isIP(a);
  if (!family) return false;
  if (list.check(a, family === 4 ? 'ipv4' : 'ipv6')) return true;
  // An IPv4 peer may also be listed in its IPv4-mapped IPv6 form.
  return family === 4 ? list.check(`::ffff:${a}`, 'ipv6') : false;
}

const EMAIL_RE = /^[^\s@<>()",;:\\]{1,200}@[^\s@<>()",;:\\]{1,200}$/;

/** "x-auth-request-email" → "X-Auth-Request-Email" (for messages). */
function displayName(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

export function createProxyAuthenticator(trusted: BlockList, opts: ProxyOptions = {}): Authenticator {
  const configured = opts.header ?? DEFAULT_PROXY_HEADER;
  const others = IDENTITY_HEADERS.filter((h) => h !== configured);
  const logEveryMs = opts.logEveryMs ?? 60_000;
  const lastLogged = new Map<string, number>();
  const noteIgnored = (req: IncomingMessage): void => {
    if (!opts.log) return;
    const present = others.filter((h) => req.headers[h] !== undefined);
    if (present.length === 0) return;
    const now = Date.now();
    const fresh = present.filter((h) => now - (lastLogged.get(h) ?? -Infinity) >= logEveryMs);
    if (fresh.length === 0) return;
    for (const h of fresh) lastLogged.set(h, now);
    // Names only: the values are claimed identities (emails), which never go into logs.
    opts.log.warn(
      { ignored_headers: fresh.map(displayName).join(', '), trusted_peer: isTrusted(trusted, req.socket.remoteAddress) },
      `identity header ignored: only ${displayName(configured)} (DJP_AUTH_PROXY_HEADER) is believed; clear client-sent identity headers at the proxy (docs/AUTH.md)`,
    );
  };
  return {
    mode: 'proxy',
    async authenticate(req: IncomingMessage): Promise<Identity> {
      noteIgnored(req);
      if (!isTrusted(trusted, req.socket.remoteAddress)) {
        throw unauthorized('request did not come through a trusted proxy (see DJP_AUTH_TRUSTED_PROXIES)');
      }
      const raw = req.headers[configured];
      if (Array.isArray(raw) && raw.length > 1) throw unauthorized(`${displayName(configured)} was sent more than once`);
      const v = header(req, configured);
      if (!v) throw unauthorized(`missing ${displayName(configured)} header from the proxy (DJP_AUTH_PROXY_HEADER)`);
      if (!EMAIL_RE.test(v)) throw unauthorized(`${displayName(configured)} is not an email address`);
      return { user: v, source: 'proxy' };
    },
  };
}
