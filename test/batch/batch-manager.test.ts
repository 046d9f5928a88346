// Batches in a long-running process (what the server's batch operations call): created from an API
// request, refused with the field named before anything is stored, run in the background sharing one
// pool of run slots across batches, read back per row.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDjpError, type CallContext, type DjpError } from '../../shared/api/index.js';
import { createRunStore, silentLogger } from '../../shared/artifacts/index.js';
import { BatchStore, createBatchManager, createSlots } from '../../shared/batch/index.js';
import { createDjpService } from '../../shared/service/index.js';
import { LocalBackend } from '../../shared/storage/local.js';
import { startFakeLlmServer, type FakeLlmServer } from '../fakes/llm-server.js';
import { fakeEnv } from '../core/helpers.js';

const ctx: CallContext = { identity: { user: 'ada@example.com', source: 'local' } };
let root: string;
let fake: FakeLlmServer;
let n = 0;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'djp-batch-mgr-'));
  fake = await startFakeLlmServer({ models: { 'slow-model': { latencyMs: 250 } } });
});
afterAll(async () => {
  await fake.close();
  rmSync(root, { recursive: true, force: true });
});

function manager(env: Record<string, string | undefined> = {}, slots = 4) {
  const dir = join(root, `m${++n}`);
  const api = createDjpService({ store: createRunStore(dir, { logger: silentLogger, env: {} }), env, surface: 'test', retry: { baseDelayMs: 5 } });
  const store = new BatchStore(new LocalBackend(dir));
  return { dir, api, store, mgr: createBatchManager({ api, store, slots, worker: 'test' }) };
}

const err = async (p: Promise<unknown>): Promise<DjpError> => {
  const e = await p.catch((x: unknown) => x);
  if (!isDjpError(e)) throw new Error(`expected a DjpError, got ${String(e)}`);
  return e;
};

describe('batch manager', () => {
  it('creates from CSV text, runs in the background, reads back per row with run ids, and as CSV', async () => {
    const { mgr } = manager();
    const created = await mgr.create({ source: 'key,task\na,First\nb,Second\nc,Third\n', name: 'three.csv', concurrency: 2 }, ctx);
    expect(created).toMatchObject({ rows: 3, name: 'three.csv', format: 'csv', running: true, created_by: 'ada@example.com', dry_run: false });
    await mgr.idle();
    const d = await mgr.get(created.id);
    expect(d.complete).toBe(true);
    expect(d.row_results.map((r) => [r.row, r.key, r.status])).toEqual([
      [2, 'a', 'published'],
      [3, 'b', 'published'],
      [4, 'c', 'published'],
    ]);
    expect(d.row_results.every((r) => r.run_id)).toBe(true);
    const csv = await mgr.results(created.id, 'csv');
    expect(csv.split('\n')[0]).toBe('row,key,attempt,run_id,status,published_model,score,cost_usd,error,worker');
    expect((await mgr.list()).map((b) => b.id)).toContain(created.id);
  });

  it('takes rows as objects, and a dry run stores nothing', async () => {
    const { mgr, store } = manager();
    const dry = await mgr.create({ rows: [{ task: 'one' }, { task: 'two' }], dry_run: true }, ctx);
    expect(dry).toMatchObject({ rows: 2, dry_run: true, running: false, format: 'jsonl' });
    expect(await store.list()).toEqual([]);
  });

  it('bad input names the field, before anything is stored', async () => {
    const { mgr, store } = manager();
    expect((await err(mgr.create({ source: 'key,task\nk1,\n' }, ctx))).message).toBe('row 2, column "task": must not be empty');
    expect((await err(mgr.create({}, ctx))).field).toBe('source');
    expect((await err(mgr.create({ source: 'x', rows: [{ task: 'y' }] }, ctx))).field).toBe('source');
    expect((await err(mgr.create({ source: 'a\n', concurrency: 99 }, ctx))).field).toBe('concurrency');
    expect((await err(mgr.create({ source: 'a\n', name: 'x.xlsx' }, ctx))).message).toMatch(/\.csv, \.jsonl or \.txt/);
    expect((await err(mgr.create({ source: 'a\n', format: 'txt', options: { max_tokens: -1 } }, ctx))).field).toBe('options.max_tokens');
    expect(await store.list()).toEqual([]);
    expect((await err(mgr.get('no-such-batch'))).code).toBe('not_found');
  });

  it('refuses a batch over its budget before any provider call (budget_exceeded, budget_usd)', async () => {
    const { mgr } = manager(fakeEnv(fake, ['openai']));
    const before = fake.requests.length;
    const e = await err(mgr.create({ source: 'one\ntwo\nthree\n', format: 'txt', budget_usd: 0.000001 }, ctx));
    expect(e.code).toBe('budget_exceeded');
    expect(e.field).toBe('budget_usd');
    expect(fake.requests.length).toBe(before);
  });

  it('two batches share the process-wide slots: never more batch runs at once than DJP_BATCH_CONCURRENCY', async () => {
    const env = { ...fakeEnv(fake, ['openai']), DJP_OPENAI_MODEL: 'slow-model', DJP_OPENAI_JUDGE_MODEL: 'slow-model' };
    const { mgr, api } = manager(env, 2);
    const a = await mgr.create({ source: 'a1\na2\na3\n', format: 'txt', concurrency: 4 }, ctx);
    const b = await mgr.create({ source: 'b1\nb2\nb3\n', format: 'txt', concurrency: 4 }, ctx);
    await mgr.idle();
    const [x, y] = await Promise.all([mgr.get(a.id), mgr.get(b.id)]);
    expect(x.complete && y.complete).toBe(true);
    // The most runs that overlapped in time, from the saved artifacts' own start and finish times.
    const spans = await Promise.all([...x.row_results, ...y.row_results].map(async (r) => api.getRun(r.run_id!)));
    const edges = spans.flatMap((s) => [{ t: Date.parse(s.created_at), d: 1 }, { t: Date.parse(s.finished_at), d: -1 }]).sort((p, q) => p.t - q.t || p.d - q.d);
    let open = 0;
    let peak = 0;
    for (const e of edges) peak = Math.max(peak, (open += e.d));
    expect(spans).toHaveLength(6);
    expect(peak).toBe(2); // 2 slots for 8 requested (4 + 4): the pool, not the batches, decides
  }, 60_000);
});

describe('slots', () => {
  it('hands out at most n at once, in order', async () => {
    const s = createSlots(2);
    const order: string[] = [];
    const r1 = await s.acquire();
    const r2 = await s.acquire();
    const third = s.acquire().then((r) => {
      order.push('third');
      return r;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual([]);
    r1();
    (await third)();
    r2();
    expect(order).toEqual(['third']);
  });
});

describe('batches through the service (what every transport calls)', () => {
  it('createBatch → getBatch → getBatchResults, with the runs linked to the batch', async () => {
    const dir = join(root, `svc${++n}`);
    const svc = createDjpService({ store: createRunStore(dir, { logger: silentLogger, env: {} }), env: {}, surface: 'test' });
    const b = await svc.createBatch({ rows: [{ key: 'x', task: 'Name a prime' }, { key: 'y', task: 'Name a colour' }] }, ctx);
    let d = await svc.getBatch(b.id);
    for (let i = 0; i < 100 && !d.complete; i++) {
      await new Promise((r) => setTimeout(r, 50));
      d = await svc.getBatch(b.id);
    }
    expect(d.complete).toBe(true);
    const run = await svc.getRun(d.row_results[0]!.run_id!);
    expect(run.provenance.batch).toMatchObject({ id: b.id, row_key: 'x', attempt: 1 });
    const file = await svc.getBatchResults(b.id, { format: 'jsonl' });
    expect(file).toMatchObject({ format: 'jsonl', filename: `${b.id}-results.jsonl`, content_type: 'application/x-ndjson' });
    const lines = Buffer.from(file.base64, 'base64').toString('utf8').trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { key: string }).key)).toEqual(['x', 'y']);
    expect((await svc.listBatches()).map((x) => x.id)).toEqual([b.id]);
    expect((await err(svc.getBatchResults(b.id, { format: 'xml' } as never))).field).toBe('format');
  });

  it('a bad DJP_BATCH_CONCURRENCY is named', async () => {
    const svc = createDjpService({ store: createRunStore(join(root, `svc${++n}`), { logger: silentLogger, env: {} }), env: { DJP_BATCH_CONCURRENCY: 'lots' }, surface: 'test' });
    const e = await err(svc.createBatch({ source: 'a\n', format: 'txt' }, ctx));
    expect(e.field).toBe('DJP_BATCH_CONCURRENCY');
  });
});
