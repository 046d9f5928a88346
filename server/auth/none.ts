// DJP_AUTH=none: local use. The identity is the OS user running the server, unverified (source "none").
import { userInfo } from 'node:os';
import type { Identity } from '../../shared/api/index.js';
import type { Authenticator } from './types.js';

export function localUser(): string {
  try {
    return userInfo().username || 'anonymous';
  } catch {
    return 'anonymous';
  }
}

export function createNoAuthenticator(user = localUser()): Authenticator {
  const identity: Identity = { user, source: 'none' };
  return {
    mode: 'none',
    async authenticate() {
      return identity;
    },
  };
}

/** True for 127.0.0.0/8, ::1, ::ffff:127.x and "localhost". */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^(::ffff:)?127(\.\d{1,3}){3}$/.test(h);
}
