// DJP_AUTH=none: local use. The identity is the OS user running the server, unverified (source "none").
import { userInfo } from 'node:os';
import type { IncomingMessage } from 'node:http';
import { DjpError, type Identity } from '../../shared/api/index.js';
import type { Authenticator } from './types.js';

export function localUser(): string {
  try {
    return userInfo().username || 'anonymous';
  } catch {
    return 'anonymous';
  }
}

/** The host name of a Host header ("[::1]:8080" → "::1", "localhost:8080" → "localhost"). */
function hostName(hostHeader: string): string {
  const h = hostHeader.trim();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  return h.replace(/:\d*$/, '');
}

export interface NoAuthOptions {
  /**
   * Answer only requests addressed to a loopback host name. Set when listening on loopback: a web
   * page whose DNS name is re-pointed at 127.0.0.1 (DNS rebinding) is then same-origin with the
   * server, and without this check could read every run and start new ones.
   */
  loopbackHostOnly?: boolean;
}

export function createNoAuthenticator(user = localUser(), opts: NoAuthOptions = {}): Authenticator {
  const identity: Identity = { user, source: 'none' };
  return {
    mode: 'none',
    async authenticate(req: IncomingMessage) {
      const host = req?.headers?.host;
      if (opts.loopbackHostOnly && typeof host === 'string' && !isLoopbackHost(hostName(host))) {
        throw new DjpError(
          'forbidden',
          'this unauthenticated server answers only requests for localhost / 127.0.0.1 / [::1] (another host name could be DNS rebinding); set DJP_AUTH, or DJP_ALLOW_UNAUTHENTICATED=1 if a proxy in front rewrites the host',
        );
      }
      return identity;
    },
  };
}

/** True for 127.0.0.0/8, ::1, ::ffff:127.x and "localhost". */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^(::ffff:)?127(\.\d{1,3}){3}$/.test(h);
}
