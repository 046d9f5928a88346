// oauth2-proxy and similar: the proxy authenticates and passes the user in X-Forwarded-Email or
// X-Auth-Request-Email. Those headers are believed only when the TCP peer is a configured proxy.
import { BlockList, isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { Identity } from '../../shared/api/index.js';
import { AuthConfigError, header, unauthorized, type Authenticator } from './types.js';

export const PROXY_HEADERS = ['x-forwarded-email', 'x-auth-request-email'] as const;

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

export function createProxyAuthenticator(trusted: BlockList): Authenticator {
  return {
    mode: 'proxy',
    async authenticate(req: IncomingMessage): Promise<Identity> {
      if (!isTrusted(trusted, req.socket.remoteAddress)) {
        throw unauthorized('request did not come through a trusted proxy (see DJP_AUTH_TRUSTED_PROXIES)');
      }
      for (const name of PROXY_HEADERS) {
        const v = header(req, name);
        if (v) {
          if (!EMAIL_RE.test(v)) throw unauthorized(`${name} is not an email address`);
          return { user: v, source: 'proxy' };
        }
      }
      throw unauthorized('missing X-Forwarded-Email / X-Auth-Request-Email header from the proxy');
    },
  };
}
