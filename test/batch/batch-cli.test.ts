// `djp batch` as a user runs it (the real CLI in subprocesses): validation before anything runs,
// budget refusal before the first call, resume after a SIGKILL midway, and three workers of one batch
// on one S3 bucket (Ceph RGW, which enforces create-only writes) split by Cloud Run Jobs' and
// Kubernetes Indexed Jobs' task indexes: every row done exactly once, merged results complete.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunArtifact } from '../../shared/api/index.js';
import { S3Backend } from '../../shared/storage/s3.js';
import { runCli } from '../fakes/cli.js';
import { startFakeLlmServer, type FakeLlmServer } from '../fakes/llm-server.js';
import { startNotifyReceivers } from '../fakes/notify-receivers.js';
import { sharedRgw, type SharedRgw } from '../fakes/rgw-shared.js';

const root = resolve(import.meta.dirname, '../..');
let fake: FakeLlmServer;
let cwd: string;

beforeAll(async () => {
  fake = await startFakeLlmServer({ models: { 'slow-model': { latencyMs: 300 } } });
  cwd = mkdtempSync(join(tmpdir(), 'djp-batch-cli-'));
});
afterAll(async () => {
  await fake.close();
});

const openai = () => ({ OPENAI_API_KEY: 'sk-test-openai-000000000000', OPENAI_BASE_URL: fake.openaiBaseURL, DJP_OPENAI_MODEL: 'slow-model', DJP_OPENAI_JUDGE_MODEL: 'slow-model' });
const csv = (k: number, prefix = 'r') => `key,task\n${Array.from({ length: k }, (_, i) => `${prefix}${i + 1},Batch task ${prefix}${i + 1}`).join('\n')}\n`;

function artifactsIn(dir: string): RunArtifact[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => RunArtifact.parse(JSON.parse(readFileSync(join(dir, f), 'utf8'))));
}

describe('djp batch (CLI)', () => {
  it('refuses a bad row before any run, naming row and column (exit 2)', async () => {
    const runs = join(cwd, 'bad-runs');
    writeFileSync(join(cwd, 'bad.csv'), 'key,task\nk1,fine\nk2,\n');
    const r = await runCli(['batch', 'bad.csv'], { cwd, env: { HOME: cwd, RUNS_DIR: runs } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('row 3, column "task": must not be empty');
    expect(artifactsIn(runs)).toHaveLength(0);
  });

  it('refuses a batch projected over --budget_usd before the first provider call (exit 1)', async () => {
    const before = fake.requests.length;
    writeFileSync(join(cwd, 'budget.csv'), csv(20));
    // The default (priced) models: the slow test model has no price.
    const r = await runCli(['batch', 'budget.csv', '--budget_usd', '0.0001'], { cwd, env: { HOME: cwd, RUNS_DIR: join(cwd, 'budget-runs'), OPENAI_API_KEY: 'sk-test-openai-000000000000', OPENAI_BASE_URL: fake.openaiBaseURL } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/budget_usd: the batch is projected to cost up to \$[\d.]+ for 20 row\(s\), over the budget of \$0\.0001/);
    expect(fake.requests.length).toBe(before);
  });

  it('resumes after a SIGKILL midway: no row lost, none run twice', async () => {
    const runs = join(cwd, 'kill-runs');
    writeFileSync(join(cwd, 'kill.csv'), csv(12, 'k'));
    const env = { PATH: process.env.PATH ?? '', HOME: cwd, RUNS_DIR: runs, ...openai() };
    // node itself with tsx as a loader: SIGKILL to the tsx wrapper would leave its node child running.
    const child = spawn(process.execPath, ['--import', pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href, join(root, 'server/cli.ts'), 'batch', 'kill.csv', '--batch-id', 'killme', '--concurrency', '2', '--quiet'], { cwd, env, stdio: 'ignore' });
    const resultsDir = join(runs, 'batches', 'killme', 'results');
    const deadline = Date.now() + 40_000;
    const done = () => (existsSync(resultsDir) ? readdirSync(resultsDir).length : 0);
    while (done() < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    const finishedBefore = done();
    expect(finishedBefore).toBeGreaterThanOrEqual(4);
    expect(finishedBefore).toBeLessThan(12);

    const resumed = await runCli(['batch', '--resume', 'killme', '--out', 'killed.csv'], { cwd, env });
    expect(resumed.code, resumed.stderr).toBe(0);
    const saved = artifactsIn(runs).filter((a) => a.provenance.batch?.id === 'killme' && !a.interrupted);
    const keys = saved.map((a) => a.provenance.batch?.row_key).sort();
    expect(keys).toEqual(Array.from({ length: 12 }, (_, i) => `k${i + 1}`).sort());
    const lines = readFileSync(join(cwd, 'killed.csv'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(13);
    expect(lines.slice(1).every((l) => l.includes(',published,'))).toBe(true);

    const status = await runCli(['batch', 'status', 'killme', '--json'], { cwd, env });
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ rows: 12, complete: true, counts: { published: 12 } });
  }, 90_000);

  it('--prepare stores a validated batch and runs nothing; workers then --resume it, each taking its --shard', async () => {
    const runs = join(cwd, 'prep-runs');
    writeFileSync(join(cwd, 'prep.jsonl'), Array.from({ length: 6 }, (_, i) => JSON.stringify({ id: `p${i}`, task: `Prepared task ${i}` })).join('\n'));
    const env = { HOME: cwd, RUNS_DIR: runs };
    const prep = await runCli(['batch', 'prep.jsonl', '--batch-id', 'prep1', '--prepare', '--offline'], { cwd, env });
    expect(prep.code, prep.stderr).toBe(0);
    expect(prep.stdout).toContain('djp batch --resume prep1');
    expect(artifactsIn(runs)).toHaveLength(0);
    const ws = await Promise.all(['0/2', '1/2'].map((sh) => runCli(['batch', '--resume', 'prep1', '--shard', sh, '--quiet'], { cwd, env })));
    for (const w of ws) expect(w.code, w.stderr).toBe(0);
    const arts = artifactsIn(runs);
    expect(arts.map((a) => a.provenance.batch?.row_key).sort()).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5']);
    expect(arts.every((a) => a.drafts.every((d) => d.provider === 'offline'))).toBe(true); // the stored options applied
  }, 60_000);

  it('batch_finished is sent once, by the shard that finishes the batch, and not again for the same results', async () => {
    const rx = await startNotifyReceivers();
    try {
      const slack = '/slack/services/T0DJP/B0DJP/batchFinishedHook1';
      const runs = join(cwd, 'notify-runs');
      writeFileSync(join(cwd, 'notify.jsonl'), Array.from({ length: 6 }, (_, i) => JSON.stringify({ id: `n${i}`, task: `Notified task ${i}` })).join('\n'));
      const env = { HOME: cwd, RUNS_DIR: runs, DJP_NOTIFY_SLACK_URL: `${rx.hookBase}${slack}`, DJP_NOTIFY_EVENTS: 'batch_finished', DJP_PUBLIC_URL: 'https://djp.example.com/' };
      const prep = await runCli(['batch', 'notify.jsonl', '--batch-id', 'notify1', '--prepare', '--offline'], { cwd, env });
      expect(prep.code, prep.stderr).toBe(0);
      // Shard 0 alone: half the batch is left, so it says nothing.
      const first = await runCli(['batch', '--resume', 'notify1', '--shard', '0/2', '--quiet'], { cwd, env });
      expect(first.code, first.stderr).toBe(0);
      const messages = () => rx.received.filter((r) => r.path === slack);
      expect(messages()).toHaveLength(0);
      // Shard 1 finishes the batch: one message, about the whole batch.
      const second = await runCli(['batch', '--resume', 'notify1', '--shard', '1/2', '--quiet'], { cwd, env });
      expect(second.code, second.stderr).toBe(0);
      expect(messages()).toHaveLength(1);
      const text = JSON.stringify(messages()[0]!.body);
      expect(text).toContain('A DJP batch finished');
      expect(text).toContain('6 rows');
      expect(text).toContain('https://djp.example.com/#/batch?id=notify1');
      // Both shards again at once, nothing left to run: the same results are not announced twice.
      const again = await Promise.all(['0/2', '1/2'].map((sh) => runCli(['batch', '--resume', 'notify1', '--shard', sh, '--quiet'], { cwd, env })));
      for (const r of again) expect(r.code, r.stderr).toBe(0);
      expect(messages()).toHaveLength(1);
    } finally {
      await rx.close();
    }
  }, 90_000);

  describe('three workers on one S3 bucket (Ceph RGW)', () => {
    let rgw: SharedRgw;
    beforeAll(async () => {
      rgw = await sharedRgw();
    }, 180_000);

    const workers = async (label: string, envFor: (i: number) => Record<string, string>, extra: string[]) => {
      const prefix = `batch-cli-${process.pid}-${label}`;
      const env = { HOME: cwd, ...rgw.env, RUNS_DIR: `s3://${rgw.bucket}/${prefix}`, DJP_OUTBOX_DIR: join(cwd, `outbox-${label}`), ...openai() };
      writeFileSync(join(cwd, `${label}.csv`), csv(15, label));
      const rs = await Promise.all([0, 1, 2].map((i) => runCli(['batch', `${label}.csv`, '--concurrency', '3', '--quiet', ...extra], { cwd, env: { ...env, ...envFor(i) } })));
      for (const r of rs) expect(r.code, r.stderr).toBe(0);
      const backend = new S3Backend({ bucket: rgw.bucket, prefix, env: rgw.env });
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await backend.list({ limit: 1000, ...(token ? { pageToken: token } : {}) });
        keys.push(...page.keys);
        token = page.nextPageToken ?? undefined;
      } while (token);
      const arts = await Promise.all(keys.filter((k) => /^[0-9A-Z]{26}\.json$/.test(k)).map(async (k) => RunArtifact.parse(JSON.parse(Buffer.from(await backend.read(k)).toString('utf8')))));
      const batchIds = new Set(arts.map((a) => a.provenance.batch?.id));
      expect(batchIds.size).toBe(1); // every worker derived the same batch id
      const rowKeys = arts.map((a) => a.provenance.batch?.row_key).sort();
      expect(rowKeys).toEqual(Array.from({ length: 15 }, (_, i) => `${label}${i + 1}`).sort()); // each row exactly once
      const id = [...batchIds][0]!;
      const merged = await runCli(['batch', 'results', id, '--out', `${label}-results.jsonl`], { cwd, env });
      expect(merged.code, merged.stderr).toBe(0);
      const rows = readFileSync(join(cwd, `${label}-results.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { status: string; worker: string });
      expect(rows).toHaveLength(15);
      expect(rows.every((r) => r.status === 'published')).toBe(true);
      expect(new Set(rows.map((r) => r.worker.split(':').pop())).size).toBe(3); // all three shards worked
      await backend.close();
    };

    it('Cloud Run Jobs: CLOUD_RUN_TASK_INDEX=0..2, CLOUD_RUN_TASK_COUNT=3', async () => {
      await workers('cr', (i) => ({ CLOUD_RUN_TASK_INDEX: String(i), CLOUD_RUN_TASK_COUNT: '3' }), []);
    }, 120_000);

    it('Kubernetes Indexed Job: JOB_COMPLETION_INDEX=0..2 with --shards 3', async () => {
      await workers('k8s', (i) => ({ JOB_COMPLETION_INDEX: String(i) }), ['--shards', '3']);
    }, 120_000);
  });
});
