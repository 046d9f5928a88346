// Reads DJP_AUTH and its settings from the environment and builds the Authenticator, or refuses with
// an AuthConfigError that says exactly which variable is missing or wrong.
import { createAlbAuthenticator, albKeyUrlForRegion } from './alb.js';
import { CLOUDFLARE_HEADER, IAP_HEADER, IAP_ISSUER, IAP_JWKS_URL, cloudflareIssuer, createJwksAuthenticator } from './jwks.js';
import { createNoAuthenticator, isLoopbackHost } from './none.js';
import { createProxyAuthenticator, parseProxyHeader, parseTrustedProxies, type ProxyLog } from './proxy.js';
import { AUTH_MODES, AuthConfigError, type AuthMode, type Authenticator } from './types.js';

export type { Env } from '../../shared/config/env.js';
import type { Env } from '../../shared/config/env.js';

function need(env: Env, name: string, why: string): string {
  const v = env[name]?.trim();
  if (!v) throw new AuthConfigError(`${name} is required when ${why}`);
  return v;
}

function url(env: Env, name: string, value: string): string {
  try {
    const u = new URL(value);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('not http(s)');
    return value;
  } catch {
    throw new AuthConfigError(`${name} is not a valid http(s) URL: ${value}`);
  }
}

export function authModeFromEnv(env: Env): AuthMode {
  const raw = (env['DJP_AUTH'] ?? 'none').trim().toLowerCase() || 'none';
  if (!(AUTH_MODES as readonly string[]).includes(raw)) {
    throw new AuthConfigError(`DJP_AUTH="${env['DJP_AUTH']}" is not one of ${AUTH_MODES.join(', ')}`);
  }
  return raw as AuthMode;
}

export function isTruthy(v: string | undefined): boolean {
  return /^(1|true|yes|on)$/i.test((v ?? '').trim());
}

/**
 * Builds the authenticator for DJP_AUTH. `host` is the address the server will listen on: with
 * DJP_AUTH=none it must be loopback unless DJP_ALLOW_UNAUTHENTICATED=1.
 */
export interface AuthSetup {
  /** Where modes report things worth an operator's attention (ignored identity headers). */
  log?: ProxyLog;
}

export function authFromEnv(env: Env, host: string, setup: AuthSetup = {}): Authenticator {
  const mode = authModeFromEnv(env);
  switch (mode) {
    case 'none': {
      if (!isLoopbackHost(host) && !isTruthy(env['DJP_ALLOW_UNAUTHENTICATED'])) {
        throw new AuthConfigError(
          `refusing to listen on ${host} without authentication: set DJP_AUTH (alb, iap, cloudflare or proxy), ` +
            `listen on 127.0.0.1, or set DJP_ALLOW_UNAUTHENTICATED=1 if something in front of this server already restricts access`,
        );
      }
      // On loopback (and not explicitly opened up), /api answers loopback host names only.
      return createNoAuthenticator(undefined, { loopbackHostOnly: isLoopbackHost(host) && !isTruthy(env['DJP_ALLOW_UNAUTHENTICATED']) });
    }
    case 'alb': {
      const arn = need(env, 'DJP_AUTH_ALB_ARN', 'DJP_AUTH=alb (the load balancer ARN that signs the tokens)');
      if (!/^arn:aws[a-z-]*:elasticloadbalancing:/.test(arn)) throw new AuthConfigError(`DJP_AUTH_ALB_ARN is not a load balancer ARN: ${arn}`);
      let keyUrl = env['DJP_AUTH_ALB_KEY_URL']?.trim();
      if (!keyUrl) {
        const region = env['AWS_REGION']?.trim() || env['AWS_DEFAULT_REGION']?.trim() || /^arn:[^:]+:[^:]+:([a-z0-9-]+):/.exec(arn)?.[1];
        if (!region) throw new AuthConfigError('DJP_AUTH=alb needs AWS_REGION (or DJP_AUTH_ALB_KEY_URL) to find the ALB public keys');
        keyUrl = albKeyUrlForRegion(region);
      }
      return createAlbAuthenticator({ keyUrl: url(env, 'DJP_AUTH_ALB_KEY_URL', keyUrl), signerArn: arn });
    }
    case 'iap': {
      const audience = need(env, 'DJP_AUTH_AUDIENCE', 'DJP_AUTH=iap (/projects/NUMBER/global/backendServices/ID or /projects/NUMBER/apps/PROJECT_ID)');
      const jwksUrl = url(env, 'DJP_AUTH_JWKS_URL', env['DJP_AUTH_JWKS_URL']?.trim() || IAP_JWKS_URL);
      return createJwksAuthenticator({ mode: 'iap', header: IAP_HEADER, jwksUrl, issuer: IAP_ISSUER, audience });
    }
    case 'cloudflare': {
      const team = need(env, 'DJP_AUTH_TEAM_DOMAIN', 'DJP_AUTH=cloudflare (e.g. myteam.cloudflareaccess.com)');
      const audience = need(env, 'DJP_AUTH_AUDIENCE', "DJP_AUTH=cloudflare (the Access application's AUD tag)");
      let issuer: string;
      try {
        issuer = cloudflareIssuer(team);
      } catch {
        throw new AuthConfigError(`DJP_AUTH_TEAM_DOMAIN is not a host name: ${team}`);
      }
      const jwksUrl = url(env, 'DJP_AUTH_JWKS_URL', env['DJP_AUTH_JWKS_URL']?.trim() || `${issuer}/cdn-cgi/access/certs`);
      return createJwksAuthenticator({ mode: 'cloudflare', header: CLOUDFLARE_HEADER, jwksUrl, issuer, audience });
    }
    case 'proxy': {
      const spec = need(env, 'DJP_AUTH_TRUSTED_PROXIES', 'DJP_AUTH=proxy (the proxy addresses, IPs or CIDRs, comma-separated)');
      const header = parseProxyHeader(env['DJP_AUTH_PROXY_HEADER']);
      return createProxyAuthenticator(parseTrustedProxies(spec), { header, ...(setup.log ? { log: setup.log } : {}) });
    }
  }
}
