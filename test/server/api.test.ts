// The HTTP API over real HTTP with the real service (createDjpService), a real local run store in a
// temp folder and the real OpenAI/Anthropic SDKs pointed at the fake LLM server: every route, SSE
// streaming, bad input, 413, 404.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunArtifact, RunEvent, RunPage } from '../../shared/api/index.js';
import { startFakeLlmServer, type FakeLlmServer } from '../fakes/llm-server.js';
import { follow, getArtifact, startRealStack, type RealStack } from './real-service.js';
import { readSse } from './http-helpers.js';

let fake: FakeLlmServer;
let s: RealStack;

const OPENAI = { provider: 'openai', model: 'gpt-fake' } as const;
const ANTHROPIC = { provider: 'anthropic', model: 'claude-fake' } as const;
const JUDGE = { provider: 'openai', model: 'judge-fake' } as const;

beforeAll(async () => {
  fake = await startFakeLlmServer({
    models: {
      'gpt-fake': { latencyMs: 20, chunks: 6 },
      'claude-fake': { latencyMs: 20, chunks: 6 },
      'judge-fake': { latencyMs: 400 },
      'slow-fake': { latencyMs: 20_000 },
    },
  });
  s = await startRealStack({
    env: {
      OPENAI_API_KEY: 'sk-test-server-openai-0000000000',
      OPENAI_BASE_URL: fake.openaiBaseURL,
      ANTHROPIC_API_KEY: 'sk-ant-test-server-000000000000',
      ANTHROPIC_BASE_URL: fake.anthropicBaseURL,
    },
  });
});
afterAll(async () => {
  await s.close();
  await fake.close();
});

const json = (method: string, path: string, body?: unknown) =>
  fetch(s.base + path, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

async function start(body: Record<string, unknown>): Promise<string> {
  const res = await json('POST', '/api/runs', { debaters: [OPENAI, ANTHROPIC], judge: JUDGE, ...body });
  expect(res.status, await res.clone().text()).toBe(202);
  const { id } = (await res.json()) as { id: string };
  expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  return id;
}

describe('runs over HTTP (real service)', () => {
  let firstId = '';

  it('POST /api/runs → 202 at once; SSE streams token deltas before the judge and run.done', async () => {
    const res = await json('POST', '/api/runs', { task: 'Explain SSE in one paragraph.', debaters: [OPENAI, ANTHROPIC], judge: JUDGE });
    expect(res.status).toBe(202);
    // The 202 did not wait for the run: it is still in flight.
    expect(s.service.inFlight()).toBe(1);
    const { id } = (await res.json()) as { id: string };
    firstId = id;
    const sse = await readSse(await fetch(`${s.base}/api/runs/${id}/events`));
    const evs = sse.map((e) => RunEvent.parse(JSON.parse(e.data)));
    const types = evs.map((e) => e.type);
    expect(types[0]).toBe('run.started');
    expect(types.at(-1)).toBe('run.done');
    expect(evs.map((e) => e.seq)).toEqual(evs.map((_, i) => i));
    const deltas = sse.filter((e) => e.event === 'draft.delta');
    const perDraft = new Set(deltas.map((e) => (JSON.parse(e.data) as { draft_id: string }).draft_id));
    expect(perDraft.size).toBe(2);
    const judgeDone = sse.find((e) => e.event === 'judge.done')!;
    const done = sse.at(-1)!;
    // Deltas were streamed live, not flushed at the end: the first arrived well before the (400 ms) judge finished.
    expect(deltas[0]!.t).toBeLessThan(judgeDone.t);
    expect(types.indexOf('draft.delta')).toBeLessThan(types.indexOf('judge.started'));
    expect(done.t).toBeGreaterThanOrEqual(judgeDone.t);
    const text = deltas.map((e) => (JSON.parse(e.data) as { text: string }).text).join('');
    expect(text.length).toBeGreaterThan(10);
  });

  it('GET /api/runs/:id returns a schema-valid artifact with the identity', async () => {
    const a = RunArtifact.parse(await getArtifact(s.base, firstId));
    expect(a.id).toBe(firstId);
    expect(a.provenance.identity).toEqual({ user: 'tester', source: 'none' });
    expect(a.drafts.map((d) => d.provider).sort()).toEqual(['anthropic', 'openai']);
    expect(a.drafts.every((d) => d.status === 'ok')).toBe(true);
  });

  it('events of a finished run replay from the artifact; Last-Event-ID resumes', async () => {
    const all = await follow(s.base, firstId);
    const last = all.at(-1)!;
    expect(last.type).toBe('run.done');
    // A resume gets only what it lacks, ending with run.done at the same seq. (The live stream had a
    // draft.delta per chunk, the replay from the artifact one per draft: a client that left mid-run
    // gets the run.done, then loads the artifact — shared/service/active-runs.ts FinishedRuns.)
    const tail = await follow(s.base, firstId, { 'last-event-id': String(last.seq - 2) });
    expect(tail.length).toBeGreaterThan(0);
    expect(tail.every((e) => e.seq > last.seq - 2)).toBe(true);
    expect(tail.at(-1)).toMatchObject({ type: 'run.done', seq: last.seq });
    // A client that already has run.done is told to stop reconnecting (204), not left hanging.
    const after = await fetch(`${s.base}/api/runs/${firstId}/events`, { headers: { 'last-event-id': String(last.seq) } });
    expect(after.status).toBe(204);
  });

  it('GET /api/runs lists, searches, filters and pages', async () => {
    const second = await start({ task: 'A zebra-striped question about pagination' });
    await follow(s.base, second);
    const page = RunPage.parse(await (await json('GET', '/api/runs?limit=1')).json());
    expect(page.runs).toHaveLength(1);
    expect(page.runs[0]!.id).toBe(second); // newest first
    expect(page.next_cursor).not.toBeNull();
    const next = RunPage.parse(await (await json('GET', `/api/runs?limit=1&cursor=${encodeURIComponent(page.next_cursor!)}`)).json());
    expect(next.runs[0]!.id).toBe(firstId);
    const q = RunPage.parse(await (await json('GET', '/api/runs?q=zebra')).json());
    expect(q.runs.map((r) => r.id)).toEqual([second]);
    const byProvider = RunPage.parse(await (await json('GET', '/api/runs?provider=anthropic')).json());
    expect(byProvider.runs.length).toBeGreaterThanOrEqual(2);
    const none = RunPage.parse(await (await json('GET', '/api/runs?provider=google')).json());
    expect(none.runs).toEqual([]);
    const status = RunPage.parse(await (await json('GET', '/api/runs?status=pending_approval')).json());
    expect(status.runs.every((r) => r.status === 'pending_approval')).toBe(true);
    const bad = await json('GET', '/api/runs?from=yesterday');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { field: 'from' } });
  });

  it('approve and reject a run pending approval', async () => {
    const a = await start({ task: 'needs a human', require_approval: true });
    await follow(s.base, a);
    expect((await getArtifact(s.base, a)).status).toBe('pending_approval');
    const approved = await json('POST', `/api/runs/${a}/approve`, { reason: 'looks right' });
    expect(approved.status).toBe(200);
    const art = RunArtifact.parse(await approved.json());
    expect(art.status).toBe('published');
    expect(art.approval).toMatchObject({ state: 'approved', decided_by: 'tester', reason: 'looks right' });
    expect((await getArtifact(s.base, a)).approval.state).toBe('approved'); // persisted
    expect((await json('POST', `/api/runs/${a}/approve`, {})).status).toBe(409);

    const b = await start({ task: 'needs a human too', require_approval: true });
    await follow(s.base, b);
    const noReason = await json('POST', `/api/runs/${b}/reject`, {});
    expect(noReason.status).toBe(400);
    expect(await noReason.json()).toMatchObject({ error: { field: 'reason' } });
    const rejected = await json('POST', `/api/runs/${b}/reject`, { reason: 'off topic' });
    expect(rejected.status).toBe(200);
    expect(((await rejected.json()) as RunArtifact).status).toBe('advisory_only');
  });

  it('cancel stops a running run and saves it as interrupted', async () => {
    const id = await start({ task: 'never finishes', debaters: [{ provider: 'openai', model: 'slow-fake' }] });
    const stream = fetch(`${s.base}/api/runs/${id}/events`).then((r) => readSse(r));
    await new Promise((r) => setTimeout(r, 200));
    const res = await json('POST', `/api/runs/${id}/cancel`);
    expect(res.status).toBe(202);
    const evs = (await stream).map((e) => RunEvent.parse(JSON.parse(e.data)));
    expect(evs.at(-1)?.type).toBe('run.done');
    const a = await getArtifact(s.base, id);
    expect(a.interrupted).toBeTruthy();
    expect(a.drafts[0]?.status).toBe('cancelled');
    expect((await json('POST', `/api/runs/${id}/cancel`)).status).toBe(409); // already finished
  });

  it('replay starts a new run with the old parameters', async () => {
    const res = await json('POST', `/api/runs/${firstId}/replay`);
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect(id).not.toBe(firstId);
    await follow(s.base, id);
    const a = await getArtifact(s.base, id);
    expect(a.provenance.replay_of).toBe(firstId);
    expect(a.task).toBe('Explain SSE in one paragraph.');
    expect(a.parameters.debaters).toEqual([OPENAI, ANTHROPIC]);
  });

  it('DELETE removes a run: 204, then 404', async () => {
    const id = await start({ task: 'delete me' });
    await follow(s.base, id);
    expect((await json('DELETE', `/api/runs/${id}`)).status).toBe(204);
    const gone = await json('GET', `/api/runs/${id}`);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({ error: { code: 'not_found' } });
    expect((await json('DELETE', `/api/runs/${id}`)).status).toBe(404);
    expect((await json('GET', `/api/runs/${id}/events`)).status).toBe(404);
    expect((await json('POST', `/api/runs/${id}/replay`)).status).toBe(404);
  });
});

describe('service routes (real service)', () => {
  it('GET /api/providers lists statuses and never a key', async () => {
    const res = await json('GET', '/api/providers');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain('sk-test-server');
    expect(text).not.toContain('sk-ant-test');
    const list = JSON.parse(text) as Array<{ id: string; configured: boolean; key_source: string }>;
    expect(list.find((p) => p.id === 'openai')).toMatchObject({ configured: true, key_source: 'env' });
  });

  it('GET /api/providers/{id}/models: the provider\'s own list, cached; 400 naming id when not configured or unknown; 503 when the listing fails', async () => {
    const res = await json('GET', '/api/providers/anthropic/models');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain('sk-ant-test');
    const got = JSON.parse(text) as { provider: string; models: string[]; cached: boolean };
    expect(got).toMatchObject({ provider: 'anthropic', cached: false });
    expect(got.models).toEqual(expect.arrayContaining(['claude-fake', 'gpt-fake', 'judge-fake']));
    expect(((await (await json('GET', '/api/providers/anthropic/models')).json()) as { cached: boolean }).cached).toBe(true);
    for (const path of ['/api/providers/google/models', '/api/providers/nope/models']) {
      const bad = await json('GET', path);
      expect(bad.status, path).toBe(400);
      expect(((await bad.json()) as { error: { field: string } }).error.field).toBe('id');
    }
    fake.setModelList({ status: 500, message: 'listing down' });
    try {
      const down = await json('GET', '/api/providers/openai/models');
      expect(down.status).toBe(503);
      const body = (await down.json()) as { error: { message: string } };
      expect(body.error.message).toContain('listing the models of openai failed');
      expect(body.error.message).not.toContain('sk-test-server');
    } finally {
      fake.setModelList(['gpt-fake', 'claude-fake', 'judge-fake', 'slow-fake']);
    }
  });

  it('POST /api/cost/projection projects; bad input names the field', async () => {
    const res = await json('POST', '/api/cost/projection', { task: 'How much?', debaters: [OPENAI], judge: JUDGE, max_tokens: 500 });
    expect(res.status).toBe(200);
    const p = (await res.json()) as { currency: string; calls: Array<{ stage: string }>; total_tokens: number };
    expect(p.currency).toBe('USD');
    expect(p.calls.map((c) => c.stage)).toContain('debate');
    expect(p.total_tokens).toBeGreaterThan(0);
    const bad = await json('POST', '/api/cost/projection', { task: 'x', max_tokens: -1 });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { field: 'max_tokens' } });
  });

  it('a budget the projection exceeds → 422 naming the budget field, no run', async () => {
    const before = RunPage.parse(await (await json('GET', '/api/runs?limit=100')).json()).runs.length;
    const res = await json('POST', '/api/runs', { task: 'too dear', debaters: [OPENAI], judge: JUDGE, budget_tokens: 1 });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ error: { code: 'budget_exceeded', field: 'budget_tokens' } });
    expect(RunPage.parse(await (await json('GET', '/api/runs?limit=100')).json()).runs.length).toBe(before);
  });

  it('GET /api/info, /healthz, /readyz', async () => {
    const info = (await (await json('GET', '/api/info')).json()) as { storage: { kind: string; location: string }; auth: string };
    expect(info.storage.kind).toBe('local');
    expect(info.auth).toBe('none');
    expect((await json('GET', '/healthz')).status).toBe(200);
    expect(await (await json('GET', '/readyz')).json()).toEqual({ status: 'ready' });
  });

  it('bad input → 400 naming the field; oversized → 413; unknown → 404; nothing is stored', async () => {
    const before = RunPage.parse(await (await json('GET', '/api/runs?limit=100')).json()).runs.length;
    const cases: Array<[unknown, string]> = [
      [{}, 'task'],
      [{ task: 'x', debaters: [] }, 'debaters'],
      [{ task: 'x', debaters: [{ provider: 'nope', model: 'm' }] }, 'debaters.0.provider'],
      [{ task: 'x', seed: 1.5 }, 'seed'],
      [{ task: 'x', preset: 'slow' }, 'preset'],
    ];
    for (const [body, field] of cases) {
      const res = await json('POST', '/api/runs', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.json(), JSON.stringify(body)).toMatchObject({ error: { code: 'invalid', field } });
    }
    const big = await json('POST', '/api/runs', { task: 'x'.repeat(2 * 1024 * 1024) });
    expect(big.status).toBe(413);
    expect((await json('GET', '/api/runs/01ARZ3NDEKTSV4RRFFQ69G5FAV')).status).toBe(404);
    expect(RunPage.parse(await (await json('GET', '/api/runs?limit=100')).json()).runs.length).toBe(before);
  });
});

describe('readiness', () => {
  it('/readyz is 503 when the store is unreachable; /healthz stays 200', async () => {
    const t = await startRealStack({ server: { ready: async () => Promise.reject(new Error('bucket gone: s3://secret-bucket')) } });
    try {
      const r = await fetch(t.base + '/readyz');
      expect(r.status).toBe(503);
      expect(await r.text()).not.toContain('secret-bucket');
      expect((await fetch(t.base + '/healthz')).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('shutdown: stops accepting, cancels a run still going at the deadline and saves it interrupted', async () => {
    const t = await startRealStack({ env: { OPENAI_API_KEY: 'sk-test-drain-0000000000', OPENAI_BASE_URL: fake.openaiBaseURL } });
    const res = await fetch(t.base + '/api/runs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ task: 'slow', debaters: [{ provider: 'openai', model: 'slow-fake' }], judge: JUDGE }),
    });
    const { id } = (await res.json()) as { id: string };
    expect(t.service.inFlight()).toBe(1);
    await t.server.shutdown(300);
    expect(t.server.draining()).toBe(true);
    expect(t.service.inFlight()).toBe(0);
    const a = await t.store.load(id);
    expect(a.interrupted).toMatch(/shutdown/);
    await expect(fetch(t.base + '/healthz')).rejects.toThrow(); // no longer accepting connections
  });
});
