import { describe, expect, it } from 'vitest';
import { DjpError, type RunEvent } from '../../../shared/api/index.js';
import { createHttpClient, type EventSourceLike } from './http.js';
import { EVENTS, RUN_ID, sampleArtifact } from './testdata.js';

type Handler = (req: { method: string; url: string; body: unknown }) => { status: number; body?: unknown };

function fakeFetch(handler: Handler) {
  const seen: Array<{ method: string; url: string; body: unknown }> = [];
  const f = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = { method: init?.method ?? 'GET', url: String(input), body: init?.body ? JSON.parse(String(init.body)) : undefined };
    seen.push(req);
    const { status, body } = handler(req);
    return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  return { f, seen };
}

class FakeEventSource implements EventSourceLike {
  static last: FakeEventSource | null = null;
  readyState = 0;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  listeners = new Map<string, Array<(ev: MessageEvent) => void>>();
  closed = false;
  constructor(readonly url: string) {
    FakeEventSource.last = this;
  }
  addEventListener(type: string, l: (ev: MessageEvent) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), l]);
  }
  close() {
    this.closed = true;
    this.readyState = 2;
  }
  emit(data: unknown, type = 'message') {
    const ev = new MessageEvent(type, { data: typeof data === 'string' ? data : JSON.stringify(data) });
    if (type === 'message') this.onmessage?.(ev);
    for (const l of this.listeners.get(type) ?? []) l(ev);
  }
  fail() {
    this.readyState = 2;
    this.onerror?.(new Event('error'));
  }
}

describe('HTTP transport', () => {
  it('maps operations onto the routes with JSON bodies and query strings', async () => {
    const { f, seen } = fakeFetch(({ url }) => {
      if (url.endsWith('/api/runs')) return { status: 202, body: { id: RUN_ID } };
      if (url.includes('/api/runs?')) return { status: 200, body: { runs: [], next_cursor: null, skipped: 0 } };
      if (url.endsWith('/reject')) return { status: 200, body: sampleArtifact() };
      if (url.endsWith('/cancel')) return { status: 202, body: { ok: true } };
      if (url.endsWith('/api/providers')) return { status: 200, body: { providers: [] } };
      return { status: 204 };
    });
    const c = createHttpClient({ baseUrl: 'http://x/', fetch: f });
    expect(await c.startRun({ task: 't' })).toEqual({ id: RUN_ID });
    await c.listRuns({ q: 'a b', status: 'published', cursor: undefined, limit: 10 });
    await c.rejectRun(RUN_ID, { reason: 'no' });
    await c.cancelRun(RUN_ID);
    await c.deleteRun(RUN_ID);
    expect(await c.listProviders()).toEqual([]);
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST http://x/api/runs',
      'GET http://x/api/runs?q=a+b&status=published&limit=10',
      `POST http://x/api/runs/${RUN_ID}/reject`,
      `POST http://x/api/runs/${RUN_ID}/cancel`,
      `DELETE http://x/api/runs/${RUN_ID}`,
      'GET http://x/api/providers',
    ]);
    expect(seen[0]?.body).toEqual({ task: 't' });
    expect(seen[2]?.body).toEqual({ reason: 'no' });
  });

  it('rethrows {error:{code,message,field}} as a DjpError', async () => {
    const { f } = fakeFetch(() => ({ status: 400, body: { error: { code: 'invalid', message: 'max_tokens: too big', field: 'max_tokens' } } }));
    const err = await createHttpClient({ fetch: f }).startRun({ task: 't' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DjpError);
    expect(err).toMatchObject({ code: 'invalid', field: 'max_tokens', message: 'max_tokens: too big' });
  });

  it('names an unreachable server and a non-JSON error by status', async () => {
    const down = (async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch;
    await expect(createHttpClient({ fetch: down }).info()).rejects.toMatchObject({ code: 'unavailable' });
    const { f } = fakeFetch(() => ({ status: 404 }));
    await expect(createHttpClient({ fetch: f }).getRun('nope')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('streams SSE events (default or named), dedupes by seq, closes after run.done', () => {
    const c = createHttpClient({ EventSource: FakeEventSource, fetch: fakeFetch(() => ({ status: 200 })).f });
    const got: RunEvent[] = [];
    c.subscribe(RUN_ID, (e) => got.push(e));
    const es = FakeEventSource.last!;
    expect(es.url).toBe(`/api/runs/${RUN_ID}/events`);
    es.emit(EVENTS[0]);
    es.emit(EVENTS[1], 'draft.started');
    es.emit(EVENTS[1]); // resent after a reconnect
    es.emit('not json');
    es.emit(EVENTS[2], 'draft.delta');
    es.emit(EVENTS[3], 'run.done');
    expect(got.map((e) => e.type)).toEqual(['run.started', 'draft.started', 'draft.delta', 'run.done']);
    expect(es.closed).toBe(true);
  });

  it('reports a stream the server closed for good (e.g. unknown run)', () => {
    const c = createHttpClient({ EventSource: FakeEventSource, fetch: fakeFetch(() => ({ status: 200 })).f });
    const errors: DjpError[] = [];
    c.subscribe('missing', () => {}, { afterSeq: 4, onError: (e) => errors.push(e) });
    const es = FakeEventSource.last!;
    expect(es.url).toBe('/api/runs/missing/events?after=4');
    es.fail();
    expect(errors).toHaveLength(1);
    expect(errors[0]?.code).toBe('unavailable');
  });
});
