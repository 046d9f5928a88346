// Every DJP_AUTH mode over real HTTP: tokens signed with locally generated keys, published by a local
// key/JWKS server (test/server/key-server.ts). A valid token → the run records the identity; missing,
// forged, expired or wrong-audience → 401 and no run is created. The real service (offline provider)
// and a real local store stand behind the server, so the identity is read back from the saved artifact.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKeyServer, type KeyServer } from '../../test/server/key-server.js';
import { follow, getArtifact, startRealStack, type RealStack } from '../../test/server/real-service.js';
import { authFromEnv, AuthConfigError, isLoopbackHost, isTrusted, localUser, parseProxyHeader, parseTrustedProxies, type Authenticator } from './index.js';

const ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/djp/50dc6c495c0c9188';
const AUD = '/projects/123/global/backendServices/456';
const TEAM = 'djp-test.cloudflareaccess.com';
const CF_AUD = '4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2';

let keys: KeyServer;
beforeAll(async () => {
  keys = await startKeyServer();
});
afterAll(async () => {
  await keys.close();
});

async function withServer(auth: Authenticator, fn: (s: RealStack) => Promise<void>): Promise<void> {
  const s = await startRealStack({ auth });
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

async function startRun(s: RealStack, headers: Record<string, string>): Promise<Response> {
  return fetch(s.base + '/api/runs', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ task: 'who am I?' }) });
}

const runCount = async (s: RealStack) => (await s.store.list({ limit: 100 })).runs.length + s.service.inFlight();

async function expect401(s: RealStack, headers: Record<string, string>, message: RegExp): Promise<void> {
  const before = await runCount(s);
  const res = await startRun(s, headers);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(res.status, body.error.message).toBe(401);
  expect(body.error.code).toBe('unauthorized');
  expect(body.error.message).toMatch(message);
  expect(await runCount(s)).toBe(before);
  // Reads are refused too.
  expect((await fetch(s.base + '/api/runs', { headers })).status).toBe(401);
}

async function expectIdentity(s: RealStack, headers: Record<string, string>, identity: { user: string; source: string }): Promise<void> {
  const res = await startRun(s, headers);
  expect(res.status).toBe(202);
  const { id } = (await res.json()) as { id: string };
  const events = await follow(s.base, id, headers);
  expect(events.at(-1)?.type).toBe('run.done');
  const artifact = await getArtifact(s.base, id, headers);
  expect(artifact.provenance.identity).toEqual(identity);
  expect((await s.store.load(id)).provenance.identity).toEqual(identity); // as saved
  const who = await fetch(s.base + '/api/whoami', { headers });
  expect(await who.json()).toEqual(identity);
}

describe('DJP_AUTH=alb', () => {
  const env = () => ({ DJP_AUTH: 'alb', DJP_AUTH_ALB_ARN: ARN, DJP_AUTH_ALB_KEY_URL: `${keys.url}/alb` });

  it('valid token → identity; missing / forged / expired / wrong signer / unknown kid → 401', async () => {
    await withServer(authFromEnv(env(), '0.0.0.0'), async (s) => {
      const good = await keys.signAlb({ sub: 'abc-sub', email: 'ada@example.com' }, { signer: ARN });
      await expectIdentity(s, { 'x-amzn-oidc-data': good }, { user: 'ada@example.com', source: 'alb' });
      await expect401(s, {}, /missing x-amzn-oidc-data/);
      const forged = await keys.signAlb({ email: 'eve@example.com' }, { signer: ARN, key: keys.rogue.es });
      await expect401(s, { 'x-amzn-oidc-data': forged }, /signature/);
      const expired = await keys.signAlb({ email: 'ada@example.com' }, { signer: ARN, expSeconds: -3600 });
      await expect401(s, { 'x-amzn-oidc-data': expired }, /expired/);
      const otherLb = await keys.signAlb({ email: 'ada@example.com' }, { signer: ARN.replace('50dc', 'ffff') });
      await expect401(s, { 'x-amzn-oidc-data': otherLb }, /signer/);
      const unknownKid = await keys.signAlb({ email: 'ada@example.com' }, { signer: ARN, kid: 'no-such-kid' });
      await expect401(s, { 'x-amzn-oidc-data': unknownKid }, /could not be fetched/);
      await expect401(s, { 'x-amzn-oidc-data': 'not.a.jwt' }, /malformed/);
      // Real ALB tokens: '=' padding on the segments, the padded text signed, exp in the header.
      const padded = keys.signAlbPadded({ sub: 'p-sub', email: 'padded@example.com' }, { signer: ARN });
      expect(padded.split('.')[0]).toMatch(/=$/);
      expect(padded.split('.')[1]).toMatch(/=$/);
      await expectIdentity(s, { 'x-amzn-oidc-data': padded }, { user: 'padded@example.com', source: 'alb' });
      await expect401(s, { 'x-amzn-oidc-data': keys.signAlbPadded({ email: 'padded@example.com' }, { signer: ARN, expSeconds: -3600 }) }, /expired/);
      const [ph, , ps] = padded.split('.');
      const other = Buffer.from(JSON.stringify({ email: 'eve@example.com' })).toString('base64url');
      await expect401(s, { 'x-amzn-oidc-data': `${ph}.${other}.${ps}` }, /signature/);
      // Tampered payload with the original signature.
      const [h, , sig] = good.split('.');
      const evil = Buffer.from(JSON.stringify({ email: 'eve@example.com', exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url');
      await expect401(s, { 'x-amzn-oidc-data': `${h}.${evil}.${sig}` }, /signature/);
    });
    // The public key was fetched once and cached.
    expect(keys.hits.get(`/alb/${keys.albKid}`)).toBe(1);
  });

  it('refuses to start without the ARN, or without a region / key URL', () => {
    expect(() => authFromEnv({ DJP_AUTH: 'alb' }, '0.0.0.0')).toThrow(/DJP_AUTH_ALB_ARN is required/);
    expect(() => authFromEnv({ DJP_AUTH: 'alb', DJP_AUTH_ALB_ARN: 'nope' }, '0.0.0.0')).toThrow(/not a load balancer ARN/);
    expect(() => authFromEnv({ DJP_AUTH: 'alb', DJP_AUTH_ALB_ARN: 'arn:aws:elasticloadbalancing:::loadbalancer/x' }, '0.0.0.0')).toThrow(/AWS_REGION/);
    expect(authFromEnv({ DJP_AUTH: 'alb', DJP_AUTH_ALB_ARN: ARN }, '0.0.0.0').mode).toBe('alb'); // region from the ARN
  });
});

describe('DJP_AUTH=iap', () => {
  const env = () => ({ DJP_AUTH: 'iap', DJP_AUTH_AUDIENCE: AUD, DJP_AUTH_JWKS_URL: `${keys.url}/jwks` });
  const ISS = 'https://cloud.google.com/iap';

  it('valid ES256 and RS256 tokens → identity; missing / forged / expired / wrong audience / wrong issuer → 401', async () => {
    await withServer(authFromEnv(env(), '0.0.0.0'), async (s) => {
      const h = 'x-goog-iap-jwt-assertion';
      await expectIdentity(s, { [h]: await keys.signJwks({ sub: 'accounts.google.com:1', email: 'grace@example.com' }, { issuer: ISS, audience: AUD }) }, { user: 'grace@example.com', source: 'iap' });
      await expectIdentity(s, { [h]: await keys.signJwks({ email: 'rs@example.com' }, { issuer: ISS, audience: AUD, alg: 'RS256' }) }, { user: 'rs@example.com', source: 'iap' });
      await expect401(s, {}, /missing x-goog-iap-jwt-assertion/);
      await expect401(s, { [h]: await keys.signJwks({ email: 'eve@example.com' }, { issuer: ISS, audience: AUD, key: keys.rogue.es }) }, /signature/);
      await expect401(s, { [h]: await keys.signJwks({ email: 'eve@example.com' }, { issuer: ISS, audience: AUD, key: keys.rogue.es, kid: 'other' }) }, /unknown key/);
      await expect401(s, { [h]: await keys.signJwks({ email: 'grace@example.com' }, { issuer: ISS, audience: AUD, expSeconds: -3600 }) }, /expired/);
      await expect401(s, { [h]: await keys.signJwks({ email: 'grace@example.com' }, { issuer: ISS, audience: '/projects/999/apps/other' }) }, /"aud"/);
      await expect401(s, { [h]: await keys.signJwks({ email: 'grace@example.com' }, { issuer: 'https://evil.example', audience: AUD }) }, /"iss"/);
    });
  });

  it('refuses to start without an audience', () => {
    expect(() => authFromEnv({ DJP_AUTH: 'iap' }, '0.0.0.0')).toThrow(/DJP_AUTH_AUDIENCE is required/);
    expect(() => authFromEnv({ DJP_AUTH: 'iap', DJP_AUTH_AUDIENCE: AUD, DJP_AUTH_JWKS_URL: 'ftp://x' }, '0.0.0.0')).toThrow(/DJP_AUTH_JWKS_URL/);
  });
});

describe('DJP_AUTH=cloudflare', () => {
  const env = () => ({ DJP_AUTH: 'cloudflare', DJP_AUTH_TEAM_DOMAIN: TEAM, DJP_AUTH_AUDIENCE: CF_AUD, DJP_AUTH_JWKS_URL: `${keys.url}/jwks` });
  const ISS = `https://${TEAM}`;

  it('valid token → identity; missing / forged / expired / wrong audience → 401', async () => {
    await withServer(authFromEnv(env(), '0.0.0.0'), async (s) => {
      const h = 'Cf-Access-Jwt-Assertion';
      await expectIdentity(s, { [h]: await keys.signJwks({ email: 'linus@example.com' }, { issuer: ISS, audience: CF_AUD, alg: 'RS256' }) }, { user: 'linus@example.com', source: 'cloudflare' });
      // A service token (machine access): empty sub, the client id in common_name.
      await expectIdentity(s, { [h]: await keys.signJwks({ sub: '', common_name: 'ci-bot.access' }, { issuer: ISS, audience: CF_AUD, alg: 'RS256' }) }, { user: 'ci-bot.access', source: 'cloudflare' });
      await expect401(s, {}, /missing cf-access-jwt-assertion/);
      await expect401(s, { [h]: await keys.signJwks({ email: 'eve@example.com' }, { issuer: ISS, audience: CF_AUD, alg: 'RS256', key: keys.rogue.rs }) }, /signature/);
      await expect401(s, { [h]: await keys.signJwks({ email: 'linus@example.com' }, { issuer: ISS, audience: CF_AUD, expSeconds: -600 }) }, /expired/);
      await expect401(s, { [h]: await keys.signJwks({ email: 'linus@example.com' }, { issuer: ISS, audience: 'other-app' }) }, /"aud"/);
      await expect401(s, { [h]: await keys.signJwks({ email: 'linus@example.com' }, { issuer: 'https://other.cloudflareaccess.com', audience: CF_AUD }) }, /"iss"/);
    });
  });

  it('refuses to start without team domain or audience', () => {
    expect(() => authFromEnv({ DJP_AUTH: 'cloudflare', DJP_AUTH_AUDIENCE: CF_AUD }, '0.0.0.0')).toThrow(/DJP_AUTH_TEAM_DOMAIN is required/);
    expect(() => authFromEnv({ DJP_AUTH: 'cloudflare', DJP_AUTH_TEAM_DOMAIN: TEAM }, '0.0.0.0')).toThrow(/DJP_AUTH_AUDIENCE is required/);
  });
});

describe('DJP_AUTH=proxy', () => {
  it('believes the one configured header (default X-Auth-Request-Email), only from a trusted proxy address', async () => {
    await withServer(authFromEnv({ DJP_AUTH: 'proxy', DJP_AUTH_TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1' }, '0.0.0.0'), async (s) => {
      await expectIdentity(s, { 'x-auth-request-email': 'dmr@example.com' }, { user: 'dmr@example.com', source: 'proxy' });
      await expect401(s, {}, /missing X-Auth-Request-Email/);
      await expect401(s, { 'x-auth-request-email': 'not an email' }, /not an email/);
      // Any other identity header is not an identity, whatever order or combination it comes in.
      await expect401(s, { 'x-forwarded-email': 'ken@example.com' }, /missing X-Auth-Request-Email/);
      await expect401(s, { 'x-forwarded-user': 'ken', 'remote-user': 'ken@example.com' }, /missing X-Auth-Request-Email/);
    });
    await withServer(authFromEnv({ DJP_AUTH: 'proxy', DJP_AUTH_TRUSTED_PROXIES: '10.1.2.3' }, '0.0.0.0'), async (s) => {
      // 127.0.0.1 is not a trusted proxy here: a forged header from anyone else is refused.
      await expect401(s, { 'x-auth-request-email': 'ken@example.com' }, /trusted proxy/);
    });
  });

  it('a client-sent X-Forwarded-Email next to the proxy\'s header cannot change who you are; it is logged by name', async () => {
    // The set-up: nginx auth_request + oauth2-proxy --set-xauthrequest passes the client's own
    // X-Forwarded-Email through unless cleared. It used to win over X-Auth-Request-Email.
    const lines: Array<{ fields: Record<string, unknown>; message: string }> = [];
    const log = { warn: (fields: Record<string, unknown>, message: string) => void lines.push({ fields, message }) };
    await withServer(authFromEnv({ DJP_AUTH: 'proxy', DJP_AUTH_TRUSTED_PROXIES: '127.0.0.1' }, '0.0.0.0', { log }), async (s) => {
      const forged = { 'x-forwarded-email': 'ceo@example.com', 'x-forwarded-user': 'ceo', 'x-auth-request-email': 'intern@example.com' };
      await expectIdentity(s, forged, { user: 'intern@example.com', source: 'proxy' });
      const who = (await (await fetch(s.base + '/api/whoami', { headers: forged })).json()) as { user: string };
      expect(who.user).toBe('intern@example.com');
    });
    expect(lines.length).toBeGreaterThan(0);
    // Header names are logged (once a minute per name), never the claimed identity.
    expect(lines[0]!.fields['ignored_headers']).toBe('X-Forwarded-Email, X-Forwarded-User');
    expect(lines[0]!.message).toMatch(/only X-Auth-Request-Email \(DJP_AUTH_PROXY_HEADER\) is believed/);
    expect(lines.length).toBe(1);
    expect(JSON.stringify(lines)).not.toMatch(/ceo@example\.com|intern@example\.com/);
  });

  it('DJP_AUTH_PROXY_HEADER picks another header; then X-Auth-Request-Email is ignored too', async () => {
    const env = { DJP_AUTH: 'proxy', DJP_AUTH_TRUSTED_PROXIES: '127.0.0.1', DJP_AUTH_PROXY_HEADER: 'X-Forwarded-Email' };
    await withServer(authFromEnv(env, '0.0.0.0'), async (s) => {
      await expectIdentity(s, { 'x-forwarded-email': 'ken@example.com', 'x-auth-request-email': 'other@example.com' }, { user: 'ken@example.com', source: 'proxy' });
      await expect401(s, { 'x-auth-request-email': 'other@example.com' }, /missing X-Forwarded-Email header from the proxy \(DJP_AUTH_PROXY_HEADER\)/);
    });
    expect(() => authFromEnv({ ...env, DJP_AUTH_PROXY_HEADER: 'X Email' }, '0.0.0.0')).toThrow(/DJP_AUTH_PROXY_HEADER: "X Email" is not an HTTP header name/);
    expect(() => authFromEnv({ ...env, DJP_AUTH_PROXY_HEADER: 'Authorization' }, '0.0.0.0')).toThrow(/DJP_AUTH_PROXY_HEADER/);
    expect(parseProxyHeader(undefined)).toBe('x-auth-request-email');
    expect(parseProxyHeader(' Remote-User ')).toBe('remote-user');
  });

  it('parses IPs and CIDRs (IPv4-mapped IPv6 included) and rejects garbage', () => {
    const list = parseTrustedProxies('10.0.0.0/8,192.168.1.7,fd00::/8');
    expect(isTrusted(list, '10.200.3.4')).toBe(true);
    expect(isTrusted(list, '::ffff:10.1.1.1')).toBe(true);
    expect(isTrusted(list, '192.168.1.7')).toBe(true);
    expect(isTrusted(list, '192.168.1.8')).toBe(false);
    expect(isTrusted(list, 'fd00::1')).toBe(true);
    expect(isTrusted(list, '::1')).toBe(false);
    expect(isTrusted(list, undefined)).toBe(false);
    expect(() => parseTrustedProxies('10.0.0.0/33')).toThrow(AuthConfigError);
    expect(() => parseTrustedProxies('proxy.local')).toThrow(/not an IP address/);
    expect(() => authFromEnv({ DJP_AUTH: 'proxy' }, '0.0.0.0')).toThrow(/DJP_AUTH_TRUSTED_PROXIES is required/);
  });
});

describe('DJP_AUTH=none', () => {
  it('identity is the local user with source none', async () => {
    await withServer(authFromEnv({}, '127.0.0.1'), async (s) => {
      const res = await startRun(s, {});
      const { id } = (await res.json()) as { id: string };
      await follow(s.base, id);
      const identity = (await getArtifact(s.base, id)).provenance.identity;
      expect(identity.source).toBe('none');
      expect(identity.user).toBe(localUser());
    });
  });

  it('refuses a non-loopback address unless DJP_ALLOW_UNAUTHENTICATED=1; rejects unknown modes', () => {
    expect(() => authFromEnv({}, '0.0.0.0')).toThrow(/refusing to listen on 0.0.0.0 without authentication/);
    expect(() => authFromEnv({ DJP_AUTH: 'none' }, '::')).toThrow(AuthConfigError);
    expect(authFromEnv({ DJP_ALLOW_UNAUTHENTICATED: '1' }, '0.0.0.0').mode).toBe('none');
    expect(() => authFromEnv({ DJP_AUTH: 'basic' }, '127.0.0.1')).toThrow(/not one of none, alb, iap, cloudflare, proxy/);
    for (const h of ['127.0.0.1', 'localhost', '::1', '[::1]', '127.1.2.3']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', 'example.com']) expect(isLoopbackHost(h), h).toBe(false);
  });
});

describe('health routes stay open under SSO', () => {
  it('/healthz and /openapi.json need no identity; /api does', async () => {
    await withServer(authFromEnv({ DJP_AUTH: 'proxy', DJP_AUTH_TRUSTED_PROXIES: '10.9.9.9' }, '0.0.0.0'), async (s) => {
      expect((await fetch(s.base + '/healthz')).status).toBe(200);
      expect((await fetch(s.base + '/openapi.json')).status).toBe(200);
      expect((await fetch(s.base + '/api/info')).status).toBe(401);
      expect((await fetch(s.base + '/api/runs/01ARZ3NDEKTSV4RRFFQ69G5FAV/events')).status).toBe(401);
    });
  });
});

