// Review finding: cross-site request forgery. A page on another site can send a "simple" POST
// (no preflight) to the server: with DJP_AUTH=none on 127.0.0.1, or behind an SSO proxy whose
// session cookie rides along, it could start runs that spend the operator's API keys. A JSON body
// must be declared as JSON (a Blob without a type sends no content-type at all, and skips the
// preflight), and a browser's cross-site state-changing request is refused unless its Origin is in
// DJP_CORS_ORIGINS.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryApi } from '../server/memory-api.js';
import { startServer, type Started } from '../server/http-helpers.js';

function rawPost(base: string, path: string, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path, method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('cross-site request forgery', () => {
  const api = createMemoryApi();
  let s: Started;
  let allowed: Started;
  beforeAll(async () => {
    s = await startServer(api);
    allowed = await startServer(api, { corsOrigins: ['https://app.example.com'] });
  });
  afterAll(async () => {
    await s.close();
    await allowed.close();
  });
  const body = JSON.stringify({ task: 'spend the keys' });

  it('a JSON body without a content-type is refused and starts nothing', async () => {
    const before = api.runs.size;
    const r = await rawPost(s.base, '/api/runs', {}, body);
    expect(r.status).toBe(400);
    expect(r.text).toContain('content-type');
    expect(api.runs.size).toBe(before);
  });

  it('a browser cross-site POST is refused (403); same-origin and non-browser clients work', async () => {
    const before = api.runs.size;
    const evil = await rawPost(s.base, '/api/runs', { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }, body);
    expect(evil.status).toBe(403);
    const evilNoMode = await rawPost(s.base, '/api/runs', { 'content-type': 'application/json', origin: 'https://evil.example' }, body);
    expect(evilNoMode.status).toBe(403);
    expect(api.runs.size).toBe(before);
    const cancel = await rawPost(s.base, '/api/runs/01ARZ3NDEKTSV4RRFFQ69G5FAV/cancel', { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }, '');
    expect(cancel.status).toBe(403);
    const same = await rawPost(s.base, '/api/runs', { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin', origin: s.base }, body);
    expect(same.status).toBe(202);
    const sameNoFetchMeta = await rawPost(s.base, '/api/runs', { 'content-type': 'application/json', origin: s.base }, body);
    expect(sameNoFetchMeta.status).toBe(202);
    const cli = await rawPost(s.base, '/api/runs', { 'content-type': 'application/json' }, body);
    expect(cli.status).toBe(202);
  });

  it('an origin listed in DJP_CORS_ORIGINS may POST cross-site', async () => {
    const ok = await rawPost(allowed.base, '/api/runs', { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site', origin: 'https://app.example.com' }, body);
    expect(ok.status).toBe(202);
    const other = await rawPost(allowed.base, '/api/runs', { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }, body);
    expect(other.status).toBe(403);
  });
});

describe('DJP_CORS_ORIGINS=*', () => {
  const api = createMemoryApi();
  let s: Started;
  beforeAll(async () => {
    s = await startServer(api, { corsOrigins: ['*'] });
  });
  afterAll(async () => {
    await s.close();
  });

  it('allows any origin to read without credentials, never reflects an origin with credentials, and allows no cross-site POST', async () => {
    const res = await fetch(s.base + '/healthz', { headers: { origin: 'https://evil.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    const before = api.runs.size;
    const evil = await rawPost(s.base, '/api/runs', { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }, JSON.stringify({ task: 'x' }));
    expect(evil.status).toBe(403);
    expect(api.runs.size).toBe(before);
  });
});
