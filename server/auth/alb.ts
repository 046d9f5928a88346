// AWS ALB (Cognito or OIDC): verifies the `x-amzn-oidc-data` ES256 JWT. The key id in the token's
// header names a PEM public key at `${keyUrl}/${kid}` (the region's public-keys.auth.elb endpoint by
// default); the header's `signer` must be our load balancer's ARN; `exp` is required and checked.
import type { IncomingMessage } from 'node:http';
import type { CryptoKey } from 'jose';
import { loadJose } from './jose.js';
import type { Identity } from '../../shared/api/index.js';
import { toUnauthorized } from './jwt-errors.js';
import { header, unauthorized, userFromClaims, type Authenticator } from './types.js';

export const ALB_HEADER = 'x-amzn-oidc-data';
const KID_RE = /^[A-Za-z0-9_-]{1,128}$/;
const MAX_CACHED_KEYS = 64;

export interface AlbOptions {
  /** Base URL; the key for kid K is fetched from `${keyUrl}/${K}`. */
  keyUrl: string;
  /** The ALB's ARN; tokens whose `signer` header differs are refused. */
  signerArn: string;
  fetchTimeoutMs?: number;
  clockToleranceS?: number;
}

export function albKeyUrlForRegion(region: string): string {
  return `https://public-keys.auth.elb.${region}.amazonaws.com`;
}

export function createAlbAuthenticator(opts: AlbOptions): Authenticator {
  const base = opts.keyUrl.replace(/\/+$/, '');
  const keys = new Map<string, Promise<CryptoKey>>();

  async function fetchKey(kid: string): Promise<CryptoKey> {
    const res = await fetch(`${base}/${encodeURIComponent(kid)}`, { signal: AbortSignal.timeout(opts.fetchTimeoutMs ?? 5000) });
    if (!res.ok) throw unauthorized(`ALB token key "${kid}" could not be fetched (HTTP ${res.status})`);
    const pem = (await res.text()).trim();
    return (await loadJose()).importSPKI(pem, 'ES256');
  }

  function keyFor(kid: string): Promise<CryptoKey> {
    let p = keys.get(kid);
    if (!p) {
      p = fetchKey(kid);
      // A failed fetch is not cached: the next request tries again.
      p.catch(() => keys.delete(kid));
      if (keys.size >= MAX_CACHED_KEYS) keys.delete(keys.keys().next().value as string);
      keys.set(kid, p);
    }
    return p;
  }

  return {
    mode: 'alb',
    async authenticate(req: IncomingMessage): Promise<Identity> {
      const token = header(req, ALB_HEADER);
      if (!token) throw unauthorized(`missing ${ALB_HEADER} header (is the ALB's authenticate action configured?)`);
      const { decodeProtectedHeader, jwtVerify } = await loadJose();
      try {
        let h: ReturnType<typeof decodeProtectedHeader>;
        try {
          h = decodeProtectedHeader(token);
        } catch {
          throw unauthorized('ALB token is malformed');
        }
        if (h.alg !== 'ES256') throw unauthorized('ALB token must be signed with ES256');
        if (h['signer'] !== opts.signerArn) throw unauthorized('ALB token was signed by a different load balancer (signer mismatch)');
        const kid = h.kid;
        if (typeof kid !== 'string' || !KID_RE.test(kid)) throw unauthorized('ALB token has no valid key id (kid)');
        const key = await keyFor(kid);
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['ES256'],
          requiredClaims: ['exp'],
          clockTolerance: opts.clockToleranceS ?? 30,
        });
        const user = userFromClaims(payload);
        if (!user) throw unauthorized('ALB token carries neither email nor sub');
        return { user, source: 'alb' };
      } catch (e) {
        throw await toUnauthorized(e, 'ALB token');
      }
    },
  };
}
