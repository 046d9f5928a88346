// AWS ALB (Cognito or OIDC): verifies the `x-amzn-oidc-data` ES256 JWT. The key id in the token's
// header names a PEM public key at `${keyUrl}/${kid}` (the region's public-keys.auth.elb endpoint by
// default); the header's `signer` must be our load balancer's ARN; `exp` is required and checked.
//
// ALB tokens are not strict JWS: AWS base64url-encodes the segments WITH '=' padding and signs the
// padded text, which spec-conforming JWT libraries (jose included) reject. So this verifier works on
// the raw segments: padding is accepted when decoding, and the ES256 signature (raw R||S) is checked
// over the segments exactly as received, with node:crypto.
import { createPublicKey, verify as verifySignature, type KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Identity } from '../../shared/api/index.js';
import { header, unauthorized, userFromClaims, type Authenticator } from './types.js';

export const ALB_HEADER = 'x-amzn-oidc-data';
const KID_RE = /^[A-Za-z0-9_-]{1,128}$/;
const SEGMENT_RE = /^[A-Za-z0-9_-]+={0,2}$/;
const MAX_CACHED_KEYS = 64;
const MAX_TOKEN_CHARS = 16 * 1024;

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

function decodeJson(segment: string, what: string): Record<string, unknown> {
  try {
    const v = JSON.parse(Buffer.from(segment.replace(/=+$/, ''), 'base64url').toString('utf8')) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    /* fall through */
  }
  throw unauthorized(`ALB token ${what} is malformed`);
}

export function createAlbAuthenticator(opts: AlbOptions): Authenticator {
  const base = opts.keyUrl.replace(/\/+$/, '');
  const tolerance = opts.clockToleranceS ?? 30;
  const keys = new Map<string, Promise<KeyObject>>();

  async function fetchKey(kid: string): Promise<KeyObject> {
    let res: Response;
    try {
      res = await fetch(`${base}/${encodeURIComponent(kid)}`, { signal: AbortSignal.timeout(opts.fetchTimeoutMs ?? 5000) });
    } catch {
      throw unauthorized(`ALB token key "${kid}" could not be fetched (key endpoint unreachable or timed out)`);
    }
    if (!res.ok) throw unauthorized(`ALB token key "${kid}" could not be fetched (HTTP ${res.status})`);
    try {
      const key = createPublicKey((await res.text()).trim());
      if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new Error('not P-256');
      return key;
    } catch {
      throw unauthorized(`ALB token key "${kid}" is not a P-256 public key`);
    }
  }

  function keyFor(kid: string): Promise<KeyObject> {
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
      const parts = token.split('.');
      if (token.length > MAX_TOKEN_CHARS || parts.length !== 3 || !parts.every((p) => SEGMENT_RE.test(p))) {
        throw unauthorized('ALB token is malformed');
      }
      const [h, p, s] = parts as [string, string, string];
      const hdr = decodeJson(h, 'header');
      if (hdr['alg'] !== 'ES256') throw unauthorized('ALB token must be signed with ES256');
      if (hdr['signer'] !== opts.signerArn) throw unauthorized('ALB token was signed by a different load balancer (signer mismatch)');
      const kid = hdr['kid'];
      if (typeof kid !== 'string' || !KID_RE.test(kid)) throw unauthorized('ALB token has no valid key id (kid)');
      const key = await keyFor(kid);
      const signature = Buffer.from(s.replace(/=+$/, ''), 'base64url');
      const ok = signature.length === 64 && verifySignature('sha256', Buffer.from(`${h}.${p}`, 'ascii'), { key, dsaEncoding: 'ieee-p1363' }, signature);
      if (!ok) throw unauthorized('ALB token signature does not verify');
      const claims = decodeJson(p, 'payload');
      // ALB puts exp in the header; accept it from the payload too. Either way it is required.
      const exp = typeof hdr['exp'] === 'number' ? hdr['exp'] : claims['exp'];
      if (typeof exp !== 'number') throw unauthorized('ALB token has no expiry (exp)');
      if (exp + tolerance < Date.now() / 1000) throw unauthorized('ALB token has expired');
      const user = userFromClaims(claims);
      if (!user) throw unauthorized('ALB token carries neither email nor sub');
      return { user, source: 'alb' };
    },
  };
}
