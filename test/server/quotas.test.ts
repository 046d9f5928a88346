// Quotas and bounds through `djp serve`'s own wiring (startServe: settings from the environment, one
// Quotas shared by the service and the server), over real HTTP, with the real OpenAI SDK against the
// fake LLM server for runs that take a while. Per identity: the verified proxy email; under
// DJP_AUTH=none the client address (a second loopback address, 127.0.0.2, is another client).
import http from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type RunningServe } from '../../server/commands/serve.js';
import { serverSettings, SettingsError } from '../../server/http/settings.js';
import { startFakeLlmServer, type FakeLlmServer } from '../fakes/llm-server.js';

let fake: FakeLlmServer;
let pricingFile = '';
beforeAll(async () => {
  fake = await startFakeLlmServer({
    models: {
      'slow-a': { latencyMs: 700, usage: { input_tokens: 1000, output_tokens: 1000 } },
      'slow-b': { latencyMs: 700, usage: { input_tokens: 1000, output_tokens: 1000 } },
      'quick-judge': { latencyMs: 10, usage: { input_tokens: 1000, output_tokens: 1000 } },
    },
  });
  pricingFile = join(mkdtempSync(join(tmpdir(), 'djp-quota-pricing-')), 'pricing.json');
  writeFileSync(pricingFile, JSON.stringify({ models: { 'slow-a': { input: 100, output: 100 }, 'slow-b': { input: 100, output: 100 }, 'quick-judge': { input: 100, output: 100 } } }));
});
afterAll(async () => {
  await fake.close();
});

const SLOW = { debaters: [{ provider: 'openai', model: 'slow-a' }, { provider: 'openai', model: 'slow-b' }], judge: { provider: 'openai', model: 'quick-judge' } };

async function serve(extra: Record<string, string>): Promise<RunningServe> {
  const dir = mkdtempSync(join(tmpdir(), 'djp-quota-'));
  return startServe(
    { port: '0', host: '127.0.0.1' },
    {
      RUNS_DIR: join(dir, 'runs'),
      DJP_OUTBOX_DIR: join(dir, 'outbox'),
      DJP_LOG_LEVEL: 'silent',
      OPENAI_API_KEY: 'sk-test-quota-000000000000',
      OPENAI_BASE_URL: fake.openaiBaseURL,
      DJP_PRICING_FILE: pricingFile,
      ...extra,
    },
  );
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: { id?: string; error?: { code: string; message: string; field?: string } } & Record<string, unknown>;
}

/** One request over node:http (so the client's own address can be chosen). */
function call(base: string, method: string, path: string, opts: { body?: unknown; headers?: Record<string, string>; from?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const u = new URL(path, base);
    const text = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = http.request(
      { host: u.hostname, port: u.port, path: u.pathname + u.search, method, localAddress: opts.from, headers: { ...(text ? { 'content-type': 'application/json' } : {}), ...opts.headers }, agent: false },
      (res) => {
        let data = '';
        res.on('data', (c: Buffer) => (data += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data ? (JSON.parse(data) as Answer['body']) : {} }));
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

/** Opens a run's event stream and keeps it open; resolves with its status and a close function. */
function openStream(base: string, id: string, headers: Record<string, string>): Promise<{ status: number; field?: string; retryAfter?: string; close: () => void }> {
  return new Promise((resolve, reject) => {
    const u = new URL(`/api/runs/${id}/events`, base);
    const req = http.get({ host: u.hostname, port: u.port, path: u.pathname, headers, agent: false }, (res) => {
      if (res.statusCode === 200) {
        resolve({ status: 200, close: () => req.destroy() });
        res.resume();
        return;
      }
      let data = '';
      res.on('data', (c: Buffer) => (data += c.toString()));
      res.on('end', () => {
        const body = JSON.parse(data) as { error: { field?: string } };
        resolve({ status: res.statusCode ?? 0, ...(body.error.field ? { field: body.error.field } : {}), ...(res.headers['retry-after'] ? { retryAfter: String(res.headers['retry-after']) } : {}), close: () => undefined });
      });
    });
    req.on('error', (e) => (req.destroyed ? undefined : reject(e)));
  });
}

const as = (email: string) => ({ 'x-auth-request-email': email });
const PROXY = { DJP_AUTH: 'proxy', DJP_AUTH_TRUSTED_PROXIES: '127.0.0.1' };
const runCount = async (base: string, headers: Record<string, string>) => ((await call(base, 'GET', '/api/runs?limit=100', { headers })).body['runs'] as unknown[]).length;
const waitDone = async (base: string, id: string, headers: Record<string, string>) => {
  for (let i = 0; i < 200; i++) {
    if ((await call(base, 'GET', `/api/runs/${id}`, { headers })).status === 200) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`run ${id} did not finish`);
};

function expect429(a: Answer, variable: string): void {
  expect(a.status, JSON.stringify(a.body)).toBe(429);
  expect(a.body.error?.code).toBe('rate_limited');
  expect(a.body.error?.field).toBe(variable);
  expect(a.body.error?.message).toContain(variable);
  expect(Number(a.headers['retry-after'])).toBeGreaterThanOrEqual(1);
}

describe('quota settings', () => {
  it('per-identity limits are on by default for a shared server (SSO or beyond loopback), off for a local one', () => {
    expect(serverSettings({}, { host: '127.0.0.1' }).quotas).toMatchObject({ maxConcurrentRuns: null, runsPerMinute: null, maxRunsInFlight: 100, maxSseTotal: 500 });
    expect(serverSettings({ DJP_AUTH: 'iap' }, { host: '127.0.0.1' }).quotas).toMatchObject({ maxConcurrentRuns: 5, runsPerMinute: 30 });
    expect(serverSettings({ DJP_ALLOW_UNAUTHENTICATED: '1' }, { host: '0.0.0.0' }).quotas).toMatchObject({ maxConcurrentRuns: 5, runsPerMinute: 30 });
    expect(serverSettings({ DJP_RUNS_PER_MINUTE: '7' }, { host: '127.0.0.1' }).quotas.runsPerMinute).toBe(7);
    expect(() => serverSettings({ DJP_MAX_CONCURRENT_RUNS: 'many' }, { host: '127.0.0.1' })).toThrow(SettingsError);
    expect(() => serverSettings({ DJP_MAX_CONCURRENT_RUNS: 'many' }, { host: '127.0.0.1' })).toThrow(/DJP_MAX_CONCURRENT_RUNS="many"/);
  });
});

describe('quotas over HTTP (djp serve wiring)', () => {
  it('DJP_RUNS_PER_MINUTE per verified email: 429 with Retry-After naming the limit; nothing is created; another user is unaffected', async () => {
    const s = await serve({ ...PROXY, DJP_RUNS_PER_MINUTE: '3', DJP_MAX_CONCURRENT_RUNS: '0' });
    try {
      for (let i = 0; i < 3; i++) expect((await call(s.url, 'POST', '/api/runs', { body: { task: `run ${i}` }, headers: as('ada@example.com') })).status).toBe(202);
      const refused = await call(s.url, 'POST', '/api/runs', { body: { task: 'one too many' }, headers: as('ada@example.com') });
      expect429(refused, 'DJP_RUNS_PER_MINUTE');
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
      // Case of the email does not make a new identity.
      expect429(await call(s.url, 'POST', '/api/runs', { body: { task: 'x' }, headers: as('ADA@example.com') }), 'DJP_RUNS_PER_MINUTE');
      expect((await call(s.url, 'POST', '/api/runs', { body: { task: 'grace runs' }, headers: as('grace@example.com') })).status).toBe(202);
      await new Promise((r) => setTimeout(r, 300));
      expect(await runCount(s.url, as('grace@example.com'))).toBe(4); // the refused starts made nothing
    } finally {
      await s.stop();
    }
  });

  it('DJP_MAX_CONCURRENT_RUNS: refused while two run, admitted again once one finishes', async () => {
    const s = await serve({ ...PROXY, DJP_MAX_CONCURRENT_RUNS: '2' });
    try {
      const h = as('ada@example.com');
      const first = await call(s.url, 'POST', '/api/runs', { body: { task: 'slow 1', ...SLOW }, headers: h });
      expect(first.status).toBe(202);
      expect((await call(s.url, 'POST', '/api/runs', { body: { task: 'slow 2', ...SLOW }, headers: h })).status).toBe(202);
      expect429(await call(s.url, 'POST', '/api/runs', { body: { task: 'slow 3', ...SLOW }, headers: h }), 'DJP_MAX_CONCURRENT_RUNS');
      expect((await call(s.url, 'POST', '/api/runs', { body: { task: 'other', ...SLOW }, headers: as('grace@example.com') })).status).toBe(202);
      await waitDone(s.url, first.body.id!, h);
      await new Promise((r) => setTimeout(r, 100));
      expect((await call(s.url, 'POST', '/api/runs', { body: { task: 'slow 3 again', ...SLOW }, headers: h })).status).toBe(202);
    } finally {
      await s.stop();
    }
  });

  it('DJP_DAILY_BUDGET_USD: the projection is reserved while a run runs, its real cost is spent; then 429 until the next UTC day', async () => {
    const probe = await serve(PROXY);
    const projected = (await call(probe.url, 'POST', '/api/cost/projection', { body: { task: 'priced', ...SLOW }, headers: as('ada@example.com') })).body['total_usd'] as number;
    await probe.stop();
    expect(projected).toBeGreaterThan(0);
    // A budget of exactly one run's projection.
    const s = await serve({ ...PROXY, DJP_DAILY_BUDGET_USD: String(projected) });
    try {
      const h = as('ada@example.com');
      const first = await call(s.url, 'POST', '/api/runs', { body: { task: 'priced', ...SLOW }, headers: h });
      expect(first.status).toBe(202);
      const busy = await call(s.url, 'POST', '/api/runs', { body: { task: 'priced', ...SLOW }, headers: h });
      expect429(busy, 'DJP_DAILY_BUDGET_USD');
      expect(busy.body.error?.message).toMatch(/reserved by running runs/);
      await waitDone(s.url, first.body.id!, h);
      const spent = ((await call(s.url, 'GET', `/api/runs/${first.body.id}`, { headers: h })).body['cost'] as { total: { usd: number } }).total.usd;
      expect(spent).toBeGreaterThan(0);
      const after = await call(s.url, 'POST', '/api/runs', { body: { task: 'priced', ...SLOW }, headers: h });
      expect429(after, 'DJP_DAILY_BUDGET_USD');
      expect(after.body.error?.message).toMatch(/spent today \(UTC\)/);
      const now = new Date();
      const toMidnight = (Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1) - now.getTime()) / 1000;
      expect(Math.abs(Number(after.headers['retry-after']) - toMidnight)).toBeLessThan(5);
      // Another user has a full budget.
      expect((await call(s.url, 'POST', '/api/runs', { body: { task: 'priced', ...SLOW }, headers: as('grace@example.com') })).status).toBe(202);
    } finally {
      await s.stop();
    }
  });

  it('DJP_AUTH=none: the limit is per client address (127.0.0.1 and 127.0.0.2 are two clients)', async () => {
    const s = await serve({ DJP_RUNS_PER_MINUTE: '1' });
    try {
      expect((await call(s.url, 'POST', '/api/runs', { body: { task: 'a' }, from: '127.0.0.1' })).status).toBe(202);
      expect429(await call(s.url, 'POST', '/api/runs', { body: { task: 'b' }, from: '127.0.0.1' }), 'DJP_RUNS_PER_MINUTE');
      expect((await call(s.url, 'POST', '/api/runs', { body: { task: 'c' }, from: '127.0.0.2' })).status).toBe(202);
    } finally {
      await s.stop();
    }
  });

  it('per-process caps: DJP_MAX_RUNS_IN_FLIGHT; event streams per identity (DJP_MAX_SSE_PER_IDENTITY) and in total (DJP_MAX_SSE_CONNECTIONS)', async () => {
    const s = await serve({ ...PROXY, DJP_MAX_RUNS_IN_FLIGHT: '2', DJP_MAX_SSE_PER_IDENTITY: '2', DJP_MAX_SSE_CONNECTIONS: '3' });
    const open: Array<() => void> = [];
    try {
      const run = await call(s.url, 'POST', '/api/runs', { body: { task: 'slow', ...SLOW }, headers: as('a@example.com') });
      expect(run.status).toBe(202);
      expect((await call(s.url, 'POST', '/api/runs', { body: { task: 'slow', ...SLOW }, headers: as('b@example.com') })).status).toBe(202);
      expect429(await call(s.url, 'POST', '/api/runs', { body: { task: 'slow', ...SLOW }, headers: as('c@example.com') }), 'DJP_MAX_RUNS_IN_FLIGHT');

      const id = run.body.id!;
      const a1 = await openStream(s.url, id, as('a@example.com'));
      const a2 = await openStream(s.url, id, as('a@example.com'));
      open.push(a1.close, a2.close);
      expect([a1.status, a2.status]).toEqual([200, 200]);
      const a3 = await openStream(s.url, id, as('a@example.com'));
      expect(a3).toMatchObject({ status: 429, field: 'DJP_MAX_SSE_PER_IDENTITY' });
      expect(Number(a3.retryAfter)).toBeGreaterThanOrEqual(1);
      const b1 = await openStream(s.url, id, as('b@example.com'));
      open.push(b1.close);
      expect(b1.status).toBe(200);
      expect(await openStream(s.url, id, as('c@example.com'))).toMatchObject({ status: 429, field: 'DJP_MAX_SSE_CONNECTIONS' });
      // A closed stream frees its slot.
      a1.close();
      await new Promise((r) => setTimeout(r, 100));
      const again = await openStream(s.url, id, as('a@example.com'));
      open.push(again.close);
      expect(again.status).toBe(200);
    } finally {
      for (const c of open) c();
      await s.stop();
    }
  });
});
