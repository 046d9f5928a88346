// Routing-specific behaviour of the HTTP adapter, over real HTTP, against a small in-memory DjpApi
// (test/server/memory-api.ts). The contract carried end to end by the real service is covered in
// test/server/api.test.ts.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryApi } from '../../test/server/memory-api.js';
import { events, readSse, startServer, type Started } from '../../test/server/http-helpers.js';
import { ROUTES } from './routes.js';

const api = createMemoryApi({ stepMs: 20, deltas: 3 });
let s: Started;

beforeAll(async () => {
  s = await startServer(api, { maxBodyBytes: 4096 });
});
afterAll(async () => {
  await s.close();
});

/** GET with the path sent byte for byte (fetch would normalise "..") */
function rawGet(base: string, path: string): Promise<string> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    http
      .get({ hostname, port, path }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(s.base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('HTTP routing', () => {
  it('/healthz answers with security headers and a request id', async () => {
    const res = await fetch(s.base + '/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('echoes a well-formed X-Request-Id and replaces a malformed one', async () => {
    const ok = await fetch(s.base + '/healthz', { headers: { 'x-request-id': 'abc-123' } });
    expect(ok.headers.get('x-request-id')).toBe('abc-123');
    const bad = await fetch(s.base + '/healthz', { headers: { 'x-request-id': 'has spaces <script>' } });
    expect(bad.headers.get('x-request-id')).not.toContain(' ');
  });

  it('POST /api/runs → 202 {id} and records the identity passed by auth', async () => {
    const res = await post('/api/runs', { task: 'hello there' });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect(res.headers.get('location')).toBe(`/api/runs/${id}`);
    expect(api.runs.get(id)?.identity).toEqual({ user: 'tester', source: 'none' });
  });

  it('bad input → 400 naming the field; unknown fields rejected', async () => {
    const empty = await post('/api/runs', { task: '   ' });
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ error: { code: 'invalid', field: 'task' } });
    const wrongType = await post('/api/runs', { task: 'x', temperature: 'hot' });
    expect(await wrongType.json()).toMatchObject({ error: { field: 'temperature' } });
    const unknown = await post('/api/runs', { task: 'x', colour: 'red' });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toContain('colour');
    const notJson = await post('/api/runs', '{nope');
    expect(notJson.status).toBe(400);
    const noBody = await fetch(s.base + '/api/runs', { method: 'POST' });
    expect(noBody.status).toBe(400);
  });

  it('server-side paths are refused over HTTP without DJP_SERVER_DATA_DIR', async () => {
    const res = await post('/api/runs', { task: 'x', grounded_corpus: '/etc' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { field: 'grounded_corpus' } });
    const pol = await post('/api/runs', { task: 'x', policy: '../../etc/passwd.json' });
    expect(await pol.json()).toMatchObject({ error: { field: 'policy' } });
  });

  it('oversized body → 413 and nothing started', async () => {
    const before = api.runs.size;
    const res = await post('/api/runs', { task: 'x'.repeat(10_000) });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'too_large' } });
    expect(api.runs.size).toBe(before);
    // Chunked (no Content-Length): the limit is enforced while reading.
    const chunk = new TextEncoder().encode('x'.repeat(1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent++ < 8) c.enqueue(sent === 1 ? new TextEncoder().encode('{"task":"') : chunk);
        else c.close();
      },
    });
    const chunked = await fetch(s.base + '/api/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(api.runs.size).toBe(before);
  });

  it('404 for unknown API routes and runs; 400 for malformed ids; 405 for wrong methods', async () => {
    expect((await fetch(s.base + '/api/nothing')).status).toBe(404);
    expect((await fetch(s.base + '/api/runs/01ARZ3NDEKTSV4RRFFQ69G5FAV')).status).toBe(404);
    const bad = await fetch(s.base + '/api/runs/not-a-ulid');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { field: 'id' } });
    const m = await fetch(s.base + '/api/providers', { method: 'DELETE' });
    expect(m.status).toBe(405);
    expect(m.headers.get('allow')).toBe('GET');
  });

  it('list query is validated and passed through; empty params are ignored', async () => {
    const ok = await fetch(s.base + '/api/runs?q=hello&status=published&limit=5&provider=');
    expect(ok.status).toBe(200);
    expect(api.calls.at(-1)).toBe('listRuns {"q":"hello","status":"published","limit":5}');
    const bad = await fetch(s.base + '/api/runs?status=maybe');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { field: 'status' } });
    const big = await fetch(s.base + '/api/runs?limit=1000');
    expect(await big.json()).toMatchObject({ error: { field: 'limit' } });
  });

  it('SSE: streams events with id = seq and ends after run.done; Last-Event-ID resumes', async () => {
    const { id } = (await (await post('/api/runs', { task: 'stream me' })).json()) as { id: string };
    const res = await fetch(`${s.base}/api/runs/${id}/events`);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const sse = await readSse(res);
    const evs = events(sse);
    expect(evs.map((e) => e.type)).toEqual(['run.started', 'draft.started', 'draft.delta', 'draft.delta', 'draft.delta', 'run.done']);
    expect(sse.map((e) => Number(e.id))).toEqual(evs.map((e) => e.seq));
    expect(sse.map((e) => e.event)).toEqual(evs.map((e) => e.type));
    const resumed = events(await readSse(await fetch(`${s.base}/api/runs/${id}/events`, { headers: { 'last-event-id': '3' } })));
    expect(resumed.map((e) => e.seq)).toEqual([4, 5]);
    const viaQuery = events(await readSse(await fetch(`${s.base}/api/runs/${id}/events?after=4`)));
    expect(viaQuery.map((e) => e.seq)).toEqual([5]);
    expect((await fetch(`${s.base}/api/runs/${id}/events?after=x`)).status).toBe(400);
    expect((await fetch(`${s.base}/api/runs/01ARZ3NDEKTSV4RRFFQ69G5FAV/events`)).status).toBe(404);
  });

  it('approve/reject/cancel/replay map onto the API with bodies validated', async () => {
    const { id } = (await (await post('/api/runs', { task: 'decide' })).json()) as { id: string };
    const approve = await fetch(`${s.base}/api/runs/${id}/approve`, { method: 'POST' });
    expect(approve.status).toBe(409); // the memory API says: not pending
    expect(api.calls.at(-1)).toBe('approveRun {}');
    const reject = await post(`/api/runs/${id}/reject`, {});
    expect(reject.status).toBe(400);
    expect(await reject.json()).toMatchObject({ error: { field: 'reason' } });
    const cancel = await fetch(`${s.base}/api/runs/${id}/cancel`, { method: 'POST' });
    expect(cancel.status).toBe(202);
    expect(api.runs.get(id)?.cancelled).toBe(true);
    const replay = await fetch(`${s.base}/api/runs/${id}/replay`, { method: 'POST' });
    expect(replay.status).toBe(202);
    const { id: id2 } = (await replay.json()) as { id: string };
    expect(id2).not.toBe(id);
    expect(api.runs.get(id2)?.request).toMatchObject({ task: 'decide' });
    const del = await fetch(`${s.base}/api/runs/${id2}`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect(api.runs.has(id2)).toBe(false);
  });

  it('a malformed request line gets a 400, and the server keeps serving', async () => {
    const { hostname, port } = new URL(s.base);
    const reply = await new Promise<string>((resolve, reject) => {
      const sock = connect(Number(port), hostname, () => sock.end('GET http://[bad HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
      let data = '';
      sock.on('data', (c) => (data += c.toString()));
      sock.on('end', () => resolve(data));
      sock.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect((await fetch(s.base + '/healthz')).status).toBe(200);
  });

  it('CORS is off by default', async () => {
    const res = await fetch(s.base + '/api/info', { headers: { origin: 'https://evil.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('/openapi.json lists every route of the route table', async () => {
    const doc = (await (await fetch(s.base + '/openapi.json')).json()) as { openapi: string; paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } };
    expect(doc.openapi).toBe('3.1.0');
    for (const r of ROUTES) {
      const p = r.path.replace(/:([a-zA-Z]+)/g, '{$1}');
      expect(doc.paths[p]?.[r.method.toLowerCase()], `${r.method} ${r.path}`).toBeDefined();
    }
    for (const required of ['/api/runs', '/api/runs/{id}/events', '/api/runs/{id}/approve', '/api/runs/{id}/reject', '/api/runs/{id}/cancel', '/api/providers', '/api/cost/projection']) {
      expect(doc.paths[required], required).toBeDefined();
    }
    expect(doc.components.schemas['RunRequest']).toMatchObject({ type: 'object' });
    const list = doc.paths['/api/runs']!['get'] as { parameters: Array<{ name: string }> };
    expect(list.parameters.map((p) => p.name).sort()).toEqual(['cursor', 'from', 'limit', 'provider', 'q', 'status', 'to']);
  });

  it('request logs carry no task text, query strings or headers', async () => {
    await post('/api/runs', { task: 'SECRET-TASK-TEXT sk-abcdefghijklmnopqrstuvwxyz' }, { cookie: 'session=COOKIEVALUE' });
    await fetch(s.base + '/api/runs?q=PRIVATEQUERY');
    await fetch(s.base + '/api/nothing/ada@example.com');
    const all = s.logs.join('');
    expect(all).toContain('"route":"POST /api/runs"');
    expect(all).not.toContain('SECRET-TASK-TEXT');
    expect(all).not.toContain('PRIVATEQUERY');
    expect(all).not.toContain('COOKIEVALUE');
    expect(all).toContain('"route":"unmatched"');
  });
});

describe('CORS allow-list and static files', () => {
  it('answers preflight and sets the origin only for listed origins', async () => {
    const t = await startServer(createMemoryApi(), { corsOrigins: ['https://app.example'] });
    try {
      const pre = await fetch(t.base + '/api/runs', { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } });
      expect(pre.status).toBe(204);
      expect(pre.headers.get('access-control-allow-origin')).toBe('https://app.example');
      const other = await fetch(t.base + '/healthz', { headers: { origin: 'https://other.example' } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await t.close();
    }
  });

  it('serves the built renderer with SPA fallback and no path traversal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'djp-static-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(dir, 'assets', 'app-abc123.js'), 'console.log(1)');
    writeFileSync(join(tmpdir(), 'djp-outside.txt'), 'outside');
    const t = await startServer(createMemoryApi(), { staticDir: dir });
    try {
      const index = await fetch(t.base + '/');
      expect(index.headers.get('content-type')).toContain('text/html');
      expect(await index.text()).toContain('id="root"');
      const asset = await fetch(t.base + '/assets/app-abc123.js');
      expect(asset.headers.get('content-type')).toContain('javascript');
      expect(asset.headers.get('cache-control')).toContain('immutable');
      const route = await fetch(t.base + '/runs/01ARZ3NDEKTSV4RRFFQ69G5FAV');
      expect(await route.text()).toContain('id="root"');
      const deep = await fetch(t.base + '/runs/assets/app-abc123.js');
      expect(await deep.text()).toBe('console.log(1)');
      expect((await fetch(t.base + '/assets/missing.js')).status).toBe(404);
      for (const raw of ['/../djp-outside.txt', '/%2e%2e/djp-outside.txt', '/assets/..%2f..%2fdjp-outside.txt', '/..%5cdjp-outside.txt']) {
        const body = await rawGet(t.base, raw);
        expect(body, raw).not.toContain('outside');
      }
    } finally {
      await t.close();
    }
  });

  it('says plainly when the UI is not built', async () => {
    const t = await startServer(createMemoryApi(), { staticDir: join(tmpdir(), 'djp-no-such-dir') });
    try {
      const res = await fetch(t.base + '/');
      expect(await res.text()).toContain('web UI is not built');
    } finally {
      await t.close();
    }
  });
});
