// A local key endpoint for auth tests: serves ALB-style PEM keys at /alb/<kid> and a JWKS at /jwks,
// on 127.0.0.1 with an ephemeral port. Tokens are signed with keys generated here.
import { KeyObject, sign as signRaw } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair, type CryptoKey, type JWTPayload } from 'jose';

export interface KeyServer {
  url: string;
  /** Requests served, by path (to check caching). */
  hits: Map<string, number>;
  albKid: string;
  signAlb(claims: JWTPayload, opts: { signer: string; expSeconds?: number; kid?: string; key?: CryptoKey }): Promise<string>;
  /** An ALB token as AWS actually sends it: segments base64url WITH '=' padding, the padded text
   *  signed, `exp` in the header. */
  signAlbPadded(claims: Record<string, unknown>, opts: { signer: string; expSeconds?: number }): string;
  signJwks(claims: JWTPayload, opts: { issuer: string; audience: string; expSeconds?: number; alg?: 'ES256' | 'RS256'; key?: CryptoKey; kid?: string }): Promise<string>;
  /** A key pair the server does not publish (for forged tokens). */
  rogue: { es: CryptoKey; rs: CryptoKey };
  close(): Promise<void>;
}

export async function startKeyServer(): Promise<KeyServer> {
  const alb = await generateKeyPair('ES256', { extractable: true });
  const es = await generateKeyPair('ES256', { extractable: true });
  const rs = await generateKeyPair('RS256', { extractable: true });
  const rogueEs = await generateKeyPair('ES256', { extractable: true });
  const rogueRs = await generateKeyPair('RS256', { extractable: true });
  const albKid = '5e6f7a8b-1111-2222-3333-444455556666';
  const albPem = await exportSPKI(alb.publicKey);
  const jwks = {
    keys: [
      { ...(await exportJWK(es.publicKey)), kid: 'es-1', alg: 'ES256', use: 'sig' },
      { ...(await exportJWK(rs.publicKey)), kid: 'rs-1', alg: 'RS256', use: 'sig' },
    ],
  };
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    if (path === `/alb/${albKid}`) {
      res.writeHead(200, { 'content-type': 'application/x-pem-file' });
      res.end(albPem);
    } else if (path === '/jwks') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(jwks));
    } else {
      res.writeHead(404);
      res.end('no such key');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const now = () => Math.floor(Date.now() / 1000);
  return {
    url,
    hits,
    albKid,
    rogue: { es: rogueEs.privateKey, rs: rogueRs.privateKey },
    async signAlb(claims, o) {
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid: o.kid ?? albKid, signer: o.signer, iss: 'https://cognito-idp.test', client: 'client-1', typ: 'JWT' })
        .setExpirationTime(now() + (o.expSeconds ?? 120))
        .sign(o.key ?? alb.privateKey);
    },
    signAlbPadded(claims, o) {
      const pad = (b: Buffer) => {
        const u = b.toString('base64url');
        return u + '='.repeat((4 - (u.length % 4)) % 4);
      };
      const hdr = { typ: 'JWT', kid: albKid, alg: 'ES256', iss: 'https://cognito-idp.test', client: 'client-1', signer: o.signer, exp: now() + (o.expSeconds ?? 120) };
      // JSON whitespace so that both segments need padding, as real ALB tokens do.
      const padded = (json: string) => {
        for (let extra = ''; ; extra += ' ') {
          const seg = pad(Buffer.from(json + extra));
          if (seg.endsWith('=')) return seg;
        }
      };
      const h = padded(JSON.stringify(hdr));
      const p = padded(JSON.stringify(claims));
      const sig = signRaw('sha256', Buffer.from(`${h}.${p}`), { key: KeyObject.from(alb.privateKey), dsaEncoding: 'ieee-p1363' });
      return `${h}.${p}.${pad(sig)}`;
    },
    async signJwks(claims, o) {
      const alg = o.alg ?? 'ES256';
      return new SignJWT(claims)
        .setProtectedHeader({ alg, kid: o.kid ?? (alg === 'ES256' ? 'es-1' : 'rs-1'), typ: 'JWT' })
        .setIssuer(o.issuer)
        .setAudience(o.audience)
        .setIssuedAt(now() - 10)
        .setExpirationTime(now() + (o.expSeconds ?? 120))
        .sign(o.key ?? (alg === 'ES256' ? es.privateKey : rs.privateKey));
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}
