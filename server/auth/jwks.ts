// Google IAP and Cloudflare Access: a JWT in a header, verified against a JWKS endpoint with a fixed
// issuer and the configured audience.
import type { IncomingMessage } from 'node:http';
import type { createRemoteJWKSet } from 'jose';
import { loadJose } from './jose.js';
import type { Identity } from '../../shared/api/index.js';
import { toUnauthorized } from './jwt-errors.js';
import { header, unauthorized, userFromClaims, type Authenticator } from './types.js';

export const IAP_HEADER = 'x-goog-iap-jwt-assertion';
export const IAP_JWKS_URL = 'https://www.gstatic.com/iap/verify/public_key-jwk';
export const IAP_ISSUER = 'https://cloud.google.com/iap';
export const CLOUDFLARE_HEADER = 'cf-access-jwt-assertion';

export interface JwksOptions {
  mode: 'iap' | 'cloudflare';
  header: string;
  jwksUrl: string;
  issuer: string;
  audience: string;
  clockToleranceS?: number;
  fetchTimeoutMs?: number;
}

export function createJwksAuthenticator(opts: JwksOptions): Authenticator {
  let jwks: ReturnType<typeof createRemoteJWKSet> | null = null;
  const label = opts.mode === 'iap' ? 'IAP token' : 'Cloudflare Access token';
  return {
    mode: opts.mode,
    async authenticate(req: IncomingMessage): Promise<Identity> {
      const token = header(req, opts.header);
      if (!token) throw unauthorized(`missing ${opts.header} header`);
      const jose = await loadJose();
      jwks ??= jose.createRemoteJWKSet(new URL(opts.jwksUrl), { timeoutDuration: opts.fetchTimeoutMs ?? 5000, cooldownDuration: 30_000 });
      try {
        const { payload } = await jose.jwtVerify(token, jwks, {
          issuer: opts.issuer,
          audience: opts.audience,
          algorithms: ['ES256', 'RS256'],
          requiredClaims: ['exp'],
          clockTolerance: opts.clockToleranceS ?? 30,
        });
        const user = userFromClaims(payload);
        if (!user) throw unauthorized(`${label} carries neither email nor sub`);
        return { user, source: opts.mode };
      } catch (e) {
        throw await toUnauthorized(e, label);
      }
    },
  };
}

/** Accepts "team.cloudflareaccess.com" or "https://team.cloudflareaccess.com/"; returns the origin. */
export function cloudflareIssuer(teamDomain: string): string {
  const withScheme = /^https?:\/\//i.test(teamDomain) ? teamDomain : `https://${teamDomain}`;
  return new URL(withScheme).origin;
}
