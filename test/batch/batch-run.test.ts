// Batches through the real service and run store (local disk; create-only claims are hard links):
// every row runs once, resume skips saved rows, racing workers never run one attempt twice, failed
// rows are retried only when asked, budgets refuse before the first call, Ctrl-C saves what runs.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunArtifact, type CallContext } from '../../shared/api/index.js';
import { createRunStore, silentLogger } from '../../shared/artifacts/index.js';
import { BatchBudgetError, BatchStore, prepareBatch, projectBatch, runBatchRows, type BatchRowPlan } from '../../shared/batch/index.js';
import { createDjpService, type DjpService } from '../../shared/service/index.js';
import { LocalBackend } from '../../shared/storage/local.js';
import { startFakeLlmServer, type FakeLlmServer } from '../fakes/llm-server.js';
import { fakeEnv } from '../core/helpers.js';

const ctx: CallContext = { identity: { user: 'batcher', source: 'local' } };
let root: string;
let fake: FakeLlmServer;
let n = 0;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'djp-batch-'));
  fake = await startFakeLlmServer({ models: { 'slow-model': { latencyMs: 400 } } });
});
afterAll(async () => {
  await fake.close();
  rmSync(root, { recursive: true, force: true });
});

function setup(env: Record<string, string | undefined> = {}) {
  const dir = join(root, `r${++n}`);
  const svc = (): DjpService => createDjpService({ store: createRunStore(dir, { logger: silentLogger, env: {} }), env, surface: 'test', retry: { baseDelayMs: 5 } });
  return { dir, svc, store: new BatchStore(new LocalBackend(dir)) };
}

function artifactsIn(dir: string): RunArtifact[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => RunArtifact.parse(JSON.parse(readFileSync(join(dir, f), 'utf8'))));
}

const csv = (k: number) => `key,task\n${Array.from({ length: k }, (_, i) => `row${i + 1},Task number ${i + 1}`).join('\n')}\n`;

async function prepared(svc: DjpService, store: BatchStore, text: string, extra: Partial<Parameters<typeof prepareBatch>[1]> = {}) {
  const { manifest, rows } = prepareBatch(text, { name: 'tasks.csv', request: {}, createdBy: 'batcher', ...extra });
  const joined = await store.createOrJoin(manifest, text);
  const plan = await projectBatch(svc, joined.manifest, rows);
  return { manifest: joined.manifest, rows: plan.rows };
}

describe('batch runs', () => {
  it('runs every row once, links each run to its batch, and a resume starts nothing new', async () => {
    const { dir, svc, store } = setup();
    const s = svc();
    const { manifest, rows } = await prepared(s, store, csv(5));
    const progress: number[] = [];
    const results = await runBatchRows(s, store, manifest, rows, ctx, { concurrency: 2, worker: 'w1', onProgress: (p) => progress.push(p.finished) });
    expect(results.map((r) => r.status)).toEqual(Array(5).fill('published'));
    expect(progress.at(-1)).toBe(5);
    const arts = artifactsIn(dir);
    expect(arts).toHaveLength(5);
    expect(arts.map((a) => a.provenance.batch?.row_key).sort()).toEqual(['row1', 'row2', 'row3', 'row4', 'row5']);
    for (const a of arts) expect(a.provenance.batch).toMatchObject({ id: manifest.id, attempt: 1 });
    expect(new Set(results.map((r) => r.run_id)).size).toBe(5);

    const again = await runBatchRows(svc(), store, manifest, rows, ctx, { concurrency: 2, worker: 'w2' });
    expect(again.map((r) => r.worker)).toEqual(Array(5).fill('w1')); // the saved results, untouched
    expect(artifactsIn(dir)).toHaveLength(5);
  });

  it('two workers racing over the same rows never run one attempt twice', async () => {
    const { dir, svc, store } = setup();
    const a = svc();
    const b = svc();
    const { manifest, rows } = await prepared(a, store, csv(8));
    const [ra, rb] = await Promise.all([
      runBatchRows(a, store, manifest, rows, ctx, { concurrency: 4, worker: 'A' }),
      runBatchRows(b, store, manifest, rows, ctx, { concurrency: 4, worker: 'B' }),
    ]);
    const arts = artifactsIn(dir);
    expect(arts).toHaveLength(8);
    expect(new Set(arts.map((x) => x.provenance.batch?.row_key)).size).toBe(8);
    // Each row: one worker ran it, the other found it taken (or already done).
    const ran = [...ra, ...rb].filter((r) => r.run_id !== null && r.status === 'published');
    expect(new Set(ran.map((r) => r.run_id)).size).toBe(8);
    const states = await store.states(manifest.id);
    expect([...states.values()].every((s) => s.attempt === 1 && s.result?.status === 'published')).toBe(true);
  });

  it('failed rows are kept failed on resume and run again only with retryFailed', async () => {
    const { dir, svc, store } = setup(fakeEnv(fake, ['openai']));
    const s = svc();
    // A per-run budget far below one call's projection: every run is refused before any call.
    const { manifest, rows } = await prepared(s, store, csv(3), { run_budget_usd: 0.000001 });
    const first = await runBatchRows(s, store, manifest, rows, ctx, { concurrency: 3, worker: 'w' });
    expect(first.map((r) => r.status)).toEqual(['failed', 'failed', 'failed']);
    expect(first[0]?.error).toMatch(/budget/);
    expect(fake.requests).toHaveLength(0);
    const resumed = await runBatchRows(svc(), store, manifest, rows, ctx, { concurrency: 3, worker: 'w' });
    expect(resumed.map((r) => r.attempt)).toEqual([1, 1, 1]);
    const retried = await runBatchRows(svc(), store, manifest, rows, ctx, { concurrency: 3, worker: 'w', retryFailed: true });
    expect(retried.map((r) => r.attempt)).toEqual([2, 2, 2]);
    expect(artifactsIn(dir)).toHaveLength(0);
  });

  it('the whole batch is refused before the first call when its projection exceeds budget_usd', async () => {
    const { svc, store } = setup(fakeEnv(fake, ['openai']));
    const s = svc();
    const before = fake.requests.length;
    const one = await prepared(s, store, csv(1));
    const perRow = one.rows[0]!.projected_usd!;
    expect(perRow).toBeGreaterThan(0);
    const text = csv(10);
    const { manifest, rows } = prepareBatch(text, { name: 't.csv', request: {}, createdBy: 'b', budget_usd: perRow * 5 });
    const err = await projectBatch(s, manifest, rows).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BatchBudgetError);
    expect((err as Error).message).toMatch(/^budget_usd: the batch is projected to cost up to \$[\d.]+ for 10 row\(s\), over the budget/);
    expect(fake.requests.length).toBe(before);
  });

  it('stopping mid-batch saves the runs in flight as interrupted, starts no more, and a resume finishes the rest', async () => {
    const env = { ...fakeEnv(fake, ['openai']), DJP_OPENAI_MODEL: 'slow-model', DJP_OPENAI_JUDGE_MODEL: 'slow-model' };
    const { dir, svc, store } = setup(env);
    const s = svc();
    const { manifest, rows } = await prepared(s, store, csv(6));
    const ac = new AbortController();
    const results = await runBatchRows(s, store, manifest, rows as BatchRowPlan[], ctx, {
      concurrency: 2,
      worker: 'w',
      signal: ac.signal,
      onProgress: (p) => {
        if (p.running === 2 && !ac.signal.aborted) setTimeout(() => ac.abort(), 100);
      },
    });
    const byStatus = (st: string) => results.filter((r) => r.status === st).length;
    expect(byStatus('interrupted')).toBe(2);
    expect(byStatus('not_started')).toBe(4);
    expect(artifactsIn(dir).filter((a) => a.interrupted)).toHaveLength(2);

    const resumed = await runBatchRows(svc(), store, manifest, rows, ctx, { concurrency: 3, worker: 'w2' });
    expect(resumed.map((r) => r.status)).toEqual(Array(6).fill('published'));
    // Interrupted rows ran as attempt 2; rows never started as attempt 1.
    expect(resumed.filter((r) => r.attempt === 2)).toHaveLength(2);
    const saved = artifactsIn(dir);
    expect(saved.filter((a) => !a.interrupted)).toHaveLength(6);
  }, 60_000);
});

describe('batch runs from a template', () => {
  it("each row's columns are the template's variables; a bad value is refused before any run, naming row and variable", async () => {
    const { dir, svc, store } = setup();
    const s = svc();
    const good = 'key,service,severity,incident_date,timeline\ni1,billing,SEV2,2026-11-30,"09:00 alerts fired, 09:20 rolled back the deploy"\ni2,search,SEV3,2026-11-29,"14:00 latency rose, 14:30 cache flushed and fixed"\n';
    const { manifest, rows } = prepareBatch(good, { name: 'inc.csv', request: {}, createdBy: 'b', template: { id: 'incident-postmortem', version: null } });
    expect(rows.map((r) => r.task)).toEqual(['', '']); // rendered by the service, per row
    await store.createOrJoin(manifest, good);
    const plan = await projectBatch(s, manifest, rows);
    const results = await runBatchRows(s, store, manifest, plan.rows, ctx, { concurrency: 2, worker: 'w' });
    expect(results.map((r) => r.status)).toEqual(['published', 'published']);
    const arts = artifactsIn(dir);
    expect(arts.map((a) => a.template?.id)).toEqual(['incident-postmortem', 'incident-postmortem']);
    expect(arts.some((a) => a.task.includes('billing'))).toBe(true);
    expect(arts.find((a) => a.task.includes('billing'))?.template?.vars).toMatchObject({ service: 'billing', severity: 'SEV2' });

    const bad = 'key,service,severity,incident_date,timeline\ni1,billing,SEV2,2026-11-30,"09:00 alerts fired, 09:20 rolled back"\ni2,search,SEV9,2026-11-29,"14:00 latency rose, 14:30 cache flushed"\n';
    const badBatch = prepareBatch(bad, { name: 'inc.csv', request: {}, createdBy: 'b', template: { id: 'incident-postmortem', version: null } });
    const err = await projectBatch(s, badBatch.manifest, badBatch.rows).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^row 3, column "severity": /);
    expect(artifactsIn(dir)).toHaveLength(2);
  });
});
