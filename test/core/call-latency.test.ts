// A call's recorded latency starts when its request is sent: loading the SDK (LlmProvider.prepare)
// happens before the clock starts, and the service starts that load while the run is prepared; inside an
// attempt, the clock starts when Node's fetch writes the request (shared/providers/request-sent.ts), so
// the client's own first-call set-up is not counted either.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDebate } from '../../shared/djp/debate.js';
import { createAnthropicProvider } from '../../shared/providers/anthropic.js';
import { createOpenAIProvider } from '../../shared/providers/openai.js';
import { ProviderCallError } from '../../shared/providers/errors.js';
import { withRetry } from '../../shared/providers/retry.js';
import type { LlmProvider } from '../../shared/providers/types.js';
import type { Attempt, RunEventInput } from '../../shared/api/index.js';
import { startFakeLlmServer, type FakeLlmServer } from '../fakes/llm-server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('recorded call latency', () => {
  it('excludes the provider’s preparation (SDK loading): 400 ms of loading, a 20 ms call', async () => {
    let prepared = false;
    const provider: LlmProvider = {
      id: 'openai',
      prepare: async () => {
        await sleep(400);
        prepared = true;
      },
      complete: async () => {
        expect(prepared).toBe(true); // the call is made only once the SDK is there
        await sleep(20);
        return { text: JSON.stringify({ answer: 'ok', evidence: [] }), usage: null, response_model: null, finish_reason: 'stop', truncated: null, structured: 'json_schema' };
      },
    };
    const events: RunEventInput[] = [];
    const t0 = Date.now();
    const [draft] = await runDebate([{ provider: 'openai', model: 'm' }], {
      task: 't',
      context: null,
      max_answer_chars: null,
      max_tokens: 100,
      temperature: 0,
      timeout_s: 10,
      providerFor: () => provider,
      emit: (e) => events.push(e),
      hooks: { canLaunch: () => ({ ok: true, reason: null }), price: () => null, record: () => undefined },
    });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
    expect(draft!.status).toBe('ok');
    expect(draft!.attempts[0]!.latency_ms).toBeLessThan(300);
    expect(draft!.latency_ms).toBeLessThan(300);
  });
});

describe('an attempt’s clock starts when its HTTP request is sent', () => {
  let server: Server;
  let url = '';
  let fake: FakeLlmServer;
  beforeAll(async () => {
    // Answers every request 80 ms after it arrives.
    server = createServer((req, res) => {
      req.resume();
      setTimeout(() => res.end('ok'), 80);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    fake = await startFakeLlmServer({ models: { 'slow-100': { latencyMs: 100 } } });
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await fake.close();
  });

  it('300 ms of client-side work before fetch sends, an 80 ms answer: the attempt records the 80 ms', async () => {
    const t0 = Date.now();
    const r = await withRetry(
      async (signal) => {
        await sleep(300); // what a first call pays before its bytes leave: SDK client, undici, parser
        const res = await fetch(url, { method: 'POST', body: 'x', signal });
        return res.text();
      },
      { totalTimeoutMs: 10_000 },
    );
    const wall = Date.now() - t0;
    expect(r.ok).toBe(true);
    const a = r.attempts[0]!;
    expect(a.latency_ms).toBeGreaterThanOrEqual(75);
    // Only lower bounds on waits, so a busy machine cannot fail it: the 300 ms before the request left
    // are outside the recorded latency (counted from the start, it would be the whole wall time).
    expect(wall - a.latency_ms).toBeGreaterThanOrEqual(295);
    expect(Date.parse(a.started_at) - t0).toBeGreaterThanOrEqual(295);
    expect(r.latencyMs).toBe(a.latency_ms); // one attempt: the call's latency is that attempt's
  });

  it('a retried call counts from its first request: the retry wait is in the call, not in either attempt', async () => {
    let n = 0;
    const t0 = Date.now();
    const r = await withRetry(
      async (signal) => {
        await sleep(200);
        const res = await fetch(url, { signal });
        await res.text();
        if (++n === 1) throw new ProviderCallError('busy', 'http', 503);
        return 'ok';
      },
      { totalTimeoutMs: 10_000, baseDelayMs: 150, maxDelayMs: 150, random: () => 1 },
    );
    const wall = Date.now() - t0;
    expect(r.ok).toBe(true);
    expect(r.attempts.map((a) => a.outcome)).toEqual(['error', 'ok']);
    const [a1, a2] = r.attempts as [Attempt, Attempt];
    expect(a1.retry_after_ms).toBe(150);
    for (const a of r.attempts) expect(a.latency_ms).toBeGreaterThanOrEqual(75);
    // Between the two requests: the first's answer, the 150 ms wait and the second's 200 ms of set-up;
    // the set-up is in neither attempt.
    expect(Date.parse(a2.started_at) - Date.parse(a1.started_at) - a1.latency_ms).toBeGreaterThanOrEqual(345);
    // The call counts from its first request (80 + 150 + 200 + 80 = 510 at least), not from its start.
    expect(r.latencyMs).toBeGreaterThanOrEqual(500);
    expect(wall - r.latencyMs).toBeGreaterThanOrEqual(195);
  });

  it('an attempt that never sends (the offline provider, no HTTP) counts from its start', async () => {
    const r = await withRetry(async () => {
      await sleep(120);
      return 'done';
    }, { totalTimeoutMs: 10_000 });
    expect(r.attempts[0]!.latency_ms).toBeGreaterThanOrEqual(115);
    expect(r.latencyMs).toBeGreaterThanOrEqual(115);
  });

  it.each([
    ['openai', () => createOpenAIProvider({ apiKey: 'sk-test-1234567890', baseURL: fake.openaiBaseURL })],
    ['anthropic', () => createAnthropicProvider({ apiKey: 'sk-ant-test-1234567890', baseURL: fake.anthropicBaseURL })],
  ] as const)('the real %s SDK, fresh client: the recorded latency is the server’s 100 ms, within the wall time', async (_name, make) => {
    const p = make();
    await p.prepare?.();
    const t0 = Date.now();
    const r = await withRetry((signal) => p.complete({ model: 'slow-100', system: 's', prompt: 'p', max_tokens: 50, temperature: 0, signal }), { totalTimeoutMs: 10_000 });
    expect(r.ok).toBe(true);
    const a = r.attempts[0]!;
    expect(a.latency_ms).toBeGreaterThanOrEqual(95);
    expect(Date.parse(a.started_at)).toBeGreaterThanOrEqual(t0);
    expect(a.latency_ms).toBeLessThanOrEqual(Date.now() - t0);
  });
});
