import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnthropicProvider } from '../../shared/providers/anthropic.js';
import { parseRetryAfter, ProviderCallError } from '../../shared/providers/errors.js';
import { redactSecrets } from '../../shared/guardrails/redaction.js';
import { createOpenAIProvider } from '../../shared/providers/openai.js';
import { withRetry } from '../../shared/providers/retry.js';
import type { CompletionRequest, LlmProvider } from '../../shared/providers/types.js';
import { startFakeLlmServer, type FakeLlmServer } from '../fakes/llm-server.js';

let fake: FakeLlmServer;
beforeAll(async () => {
  fake = await startFakeLlmServer();
});
afterAll(async () => {
  await fake.close();
});

const req = (model: string, extra: Partial<CompletionRequest> = {}): CompletionRequest => ({
  model,
  system: 'sys',
  prompt: 'hello',
  max_tokens: 50,
  temperature: 0.3,
  signal: new AbortController().signal,
  ...extra,
});

function providers(): Array<[string, LlmProvider]> {
  return [
    ['openai', createOpenAIProvider({ apiKey: 'sk-test-1234567890', baseURL: fake.openaiBaseURL })],
    ['anthropic', createAnthropicProvider({ apiKey: 'sk-ant-test-1234567890', baseURL: fake.anthropicBaseURL })],
  ];
}
const NAMES = ['openai', 'anthropic'] as const;
const make = (name: string): LlmProvider => providers().find(([n]) => n === name)![1];

describe('providers over the real SDKs (fake server)', () => {
  it.each(NAMES)('%s streams deltas and captures usage from the stream', async (_name) => {
    const p = make(_name);
    const model = `stream-${_name}`;
    fake.setModel(model, { text: 'one two three four five six', usage: { input_tokens: 11, output_tokens: 7 }, chunks: 3 });
    const deltas: string[] = [];
    const r = await p.complete(req(model, { onDelta: (t) => deltas.push(t) }));
    expect(r.text).toBe('one two three four five six');
    expect(deltas.length).toBe(3);
    expect(deltas.join('')).toBe(r.text);
    expect(r.usage).toEqual({ input_tokens: 11, output_tokens: 7, total_tokens: 18 });
    const sent = fake.requestsFor(model)[0]!;
    expect(sent.stream).toBe(true);
    expect(sent.authenticated).toBe(true);
    if (_name === 'openai') expect(sent.body.stream_options).toEqual({ include_usage: true });
  });

  it.each(NAMES)('%s: the SDK does not retry on its own (maxRetries 0)', async (_name) => {
    const p = make(_name);
    const model = `noretry-${_name}`;
    fake.setModel(model, { faults: [{ kind: 'status', status: 500 }] });
    const err = await p.complete(req(model)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderCallError);
    expect((err as ProviderCallError).status).toBe(500);
    expect((err as ProviderCallError).retryable).toBe(true);
    expect(fake.requestsFor(model)).toHaveLength(1);
  });

  it.each(NAMES)('%s: a malformed stream is a non-retryable error', async (_name) => {
    const p = make(_name);
    const model = `malformed-${_name}`;
    fake.setModel(model, { faults: [{ kind: 'malformed' }] });
    const err = (await p.complete(req(model)).catch((e: unknown) => e)) as ProviderCallError;
    expect(err).toBeInstanceOf(ProviderCallError);
    expect(err.retryable).toBe(false);
  });
});

describe('withRetry', () => {
  it('honours Retry-After (seconds) on 429 and records every attempt', async () => {
    const [, p] = providers()[0]!;
    fake.setModel('ra-429', { faults: [{ kind: 'status', status: 429, retryAfter: '1' }], text: 'ok now' });
    const t = Date.now();
    const r = await withRetry((signal) => p.complete(req('ra-429', { signal })), { totalTimeoutMs: 10_000 });
    expect(r.ok).toBe(true);
    expect(Date.now() - t).toBeGreaterThanOrEqual(950);
    expect(r.attempts.map((a) => [a.outcome, a.http_status, a.retry_after_ms])).toEqual([
      ['error', 429, 1000],
      ['ok', null, null],
    ]);
  });

  it('honours retry-after-ms on Anthropic 529-style overload', async () => {
    const [, p] = providers()[1]!;
    fake.setModel('ra-ms', { faults: [{ kind: 'status', status: 529, retryAfterMs: 120 }] });
    const r = await withRetry((signal) => p.complete(req('ra-ms', { signal })), { totalTimeoutMs: 10_000 });
    expect(r.ok).toBe(true);
    expect(r.attempts[0]!.retry_after_ms).toBe(120);
    expect(r.attempts[0]!.http_status).toBe(529);
  });

  it('is bounded in attempts and does not retry a 400', async () => {
    const [, p] = providers()[0]!;
    fake.setModel('always500', { faults: Array.from({ length: 10 }, () => ({ kind: 'status' as const, status: 500 })) });
    const r = await withRetry((signal) => p.complete(req('always500', { signal })), { totalTimeoutMs: 10_000, maxAttempts: 3, baseDelayMs: 5 });
    expect(r.ok).toBe(false);
    expect(r.attempts).toHaveLength(3);
    expect(fake.requestsFor('always500')).toHaveLength(3);
    expect(r.attempts.slice(0, 2).every((a) => a.retry_after_ms !== null)).toBe(true);
    expect(r.attempts[2]!.retry_after_ms).toBeNull();

    fake.setModel('bad400', { faults: [{ kind: 'status', status: 400 }] });
    const r2 = await withRetry((signal) => p.complete(req('bad400', { signal })), { totalTimeoutMs: 10_000, baseDelayMs: 5 });
    expect(r2.ok).toBe(false);
    expect(r2.attempts).toHaveLength(1);
  });

  it('gives up when the Retry-After wait would pass the total budget', async () => {
    const [, p] = providers()[0]!;
    fake.setModel('ra-long', { faults: [{ kind: 'status', status: 429, retryAfter: '30' }] });
    const r = await withRetry((signal) => p.complete(req('ra-long', { signal })), { totalTimeoutMs: 2_000 });
    expect(r.ok).toBe(false);
    expect(r.attempts).toHaveLength(1);
    if (!r.ok) expect(r.error.message).toMatch(/budget/);
  });

  it('times out a hanging call', async () => {
    const [, p] = providers()[1]!;
    fake.setModel('hang', { faults: [{ kind: 'hang' }] });
    const t = Date.now();
    const r = await withRetry((signal) => p.complete(req('hang', { signal })), { totalTimeoutMs: 400 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.outcome).toBe('timeout');
    expect(Date.now() - t).toBeLessThan(3000);
    expect(r.attempts[0]!.outcome).toBe('timeout');
  });

  it('cancels via the external signal', async () => {
    const [, p] = providers()[0]!;
    fake.setModel('hang2', { faults: [{ kind: 'hang' }] });
    const ctl = new AbortController();
    setTimeout(() => ctl.abort('stop'), 100);
    const r = await withRetry((signal) => p.complete(req('hang2', { signal })), { totalTimeoutMs: 10_000, signal: ctl.signal });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.outcome).toBe('cancelled');
  });
});

describe('errors', () => {
  it('parses Retry-After forms', () => {
    const h = (o: Record<string, string>) => new Headers(o);
    expect(parseRetryAfter(h({ 'retry-after': '3' }))).toBe(3000);
    expect(parseRetryAfter(h({ 'retry-after-ms': '250', 'retry-after': '3' }))).toBe(250);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter(h({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }), now)).toBe(5000);
    expect(parseRetryAfter(h({ 'retry-after': 'soon' }))).toBeNull();
    expect(parseRetryAfter(h({}))).toBeNull();
  });

  it('masks keys in messages', () => {
    expect(redactSecrets('bad key sk-proj-abcdefghijklmnop here')).not.toContain('abcdefghijkl');
    expect(redactSecrets('Authorization: Bearer abc.def.ghijklmnop')).toBe('Authorization: Bearer [REDACTED:BEARER_TOKEN]');
    expect(new ProviderCallError('key sk-ant-api03-SECRETSECRETSECRET', 'http', 401).message).not.toContain('SECRET');
  });
});

describe('provider request shapes', () => {
  it('OpenAI sends max_completion_tokens and omits temperature for reasoning models; Google and compatible send max_tokens', async () => {
    const { createGoogleProvider } = await import('../../shared/providers/google.js');
    const { createOpenAICompatibleProvider } = await import('../../shared/providers/openai-compatible.js');
    const o = createOpenAIProvider({ apiKey: 'sk-test-1234567890', baseURL: fake.openaiBaseURL });
    await o.complete(req('gpt-5.4-mini'));
    await o.complete(req('gpt-4.1', { json: true }));
    const g = createGoogleProvider({ apiKey: 'AIza-test', baseURL: fake.openaiBaseURL });
    await g.complete(req('gemini-2.5-flash'));
    const c = createOpenAICompatibleProvider({ baseURL: fake.openaiBaseURL });
    await c.complete(req('llama3.1'));
    const body = (m: string) => fake.requestsFor(m)[0]!.body;
    expect(body('gpt-5.4-mini')).toMatchObject({ max_completion_tokens: 50 });
    expect(body('gpt-5.4-mini').temperature).toBeUndefined();
    expect(body('gpt-4.1')).toMatchObject({ max_completion_tokens: 50, temperature: 0.3, response_format: { type: 'json_object' } });
    expect(body('gemini-2.5-flash')).toMatchObject({ max_tokens: 50, temperature: 0.3 });
    expect(body('llama3.1')).toMatchObject({ max_tokens: 50 });
    const a = createAnthropicProvider({ apiKey: 'sk-ant-test-1234567890', baseURL: fake.anthropicBaseURL });
    await a.complete(req('claude-x'));
    expect(body('claude-x')).toMatchObject({ max_tokens: 50, system: 'sys', stream: true });
    // @anthropic-ai/sdk 1.x's MessageCreateParams has no temperature: none is sent
    expect(body('claude-x')).not.toHaveProperty('temperature');
    expect(body('llama3.1')).toMatchObject({ temperature: 0.3 });
  });

  it('appliedTemperature says which calls get the temperature (what the artifact records per call)', async () => {
    const { appliedTemperature } = await import('../../shared/providers/temperature.js');
    expect(appliedTemperature('openai', 'gpt-4.1', 0.3)).toBe(0.3);
    expect(appliedTemperature('openai', 'gpt-5.4-mini', 0.3)).toBeNull();
    expect(appliedTemperature('openai', 'o3', 0.3)).toBeNull();
    expect(appliedTemperature('anthropic', 'claude-sonnet-4-6', 0.3)).toBeNull();
    expect(appliedTemperature('google', 'gemini-2.5-flash', 0.7)).toBe(0.7);
    expect(appliedTemperature('openai_compatible', 'llama3.1', 0)).toBe(0);
    expect(appliedTemperature('offline', 'offline/alpha', 0.3)).toBeNull();
  });
});

describe('withRetry without a server', () => {
  it('retries connection errors with bounded attempts', async () => {
    const { createServer } = await import('node:http');
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as { port: number }).port;
    await new Promise<void>((r) => s.close(() => r()));
    const p = createOpenAIProvider({ apiKey: 'sk-test-1234567890', baseURL: `http://127.0.0.1:${port}/v1` });
    const r = await withRetry((signal) => p.complete(req('m', { signal })), { totalTimeoutMs: 5_000, maxAttempts: 3, baseDelayMs: 5 });
    expect(r.ok).toBe(false);
    expect(r.attempts).toHaveLength(3);
    expect(r.attempts.every((a) => a.outcome === 'error' && a.http_status === null)).toBe(true);
    if (!r.ok) expect(r.error.kind).toBe('connection');
  });

  it('backoff grows exponentially with jitter inside [half, full] of the step, capped', async () => {
    const { backoffMs } = await import('../../shared/providers/retry.js');
    for (const n of [1, 2, 3, 4]) {
      const full = Math.min(1000, 100 * 2 ** (n - 1));
      expect(backoffMs(n, 100, 1000, () => 0)).toBe(full / 2);
      expect(backoffMs(n, 100, 1000, () => 0.999999)).toBeCloseTo(full, -1);
    }
    expect(backoffMs(10, 100, 1000, () => 1)).toBe(1000);
  });
});
