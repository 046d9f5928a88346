// Batch benchmark: 1,000 rows through the real service, run store and batch runner (3 debaters on the
// OpenAI, Anthropic and Gemini wire formats via the real SDKs + a judge, against the fake LLM server
// at a fixed 300 ms per call, the default options — so the default margin's swap pass counts), at
// --concurrency 16. Prints wall ÷ (⌈rows ÷ concurrency⌉ × one run's latency limit), where the limit is
// 300 ms × (1 debate round + the judge passes the runs actually made), and CPU per row; then the
// 3-shard case: three `djp batch --resume ID --shard i/3` worker processes on one local RUNS_DIR.
// Asserts nothing. Run alone: npx tsx bench/batch.ts [--rows 1000]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRunStore, silentLogger } from '../shared/artifacts/index.js';
import { BatchStore, prepareBatch, projectBatch, runBatchRows } from '../shared/batch/index.js';
import { createDjpService } from '../shared/service/index.js';
import { LocalBackend } from '../shared/storage/local.js';
import { startFakeLlmServer } from '../test/fakes/llm-server.js';
import { summaryRow, type TargetRow } from './summary.js';

const LATENCY_MS = 300;
const root = resolve(import.meta.dirname, '..');

function argNum(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

export async function run(): Promise<TargetRow[]> {
  const rows = argNum('rows', 1000);
  const concurrency = 16;
  const models = { 'bench-gpt': { latencyMs: LATENCY_MS }, 'bench-claude': { latencyMs: LATENCY_MS }, 'bench-gemini': { latencyMs: LATENCY_MS }, 'bench-judge': { latencyMs: LATENCY_MS } };
  const fake = await startFakeLlmServer({ models });
  const env: Record<string, string> = {
    OPENAI_API_KEY: 'bench-key', OPENAI_BASE_URL: fake.openaiBaseURL, DJP_OPENAI_MODEL: 'bench-gpt', DJP_OPENAI_JUDGE_MODEL: 'bench-judge',
    ANTHROPIC_API_KEY: 'bench-key', ANTHROPIC_BASE_URL: fake.anthropicBaseURL, DJP_ANTHROPIC_MODEL: 'bench-claude', DJP_ANTHROPIC_JUDGE_MODEL: 'bench-judge',
    GOOGLE_API_KEY: 'bench-key', GOOGLE_BASE_URL: fake.openaiBaseURL, DJP_GOOGLE_MODEL: 'bench-gemini', DJP_GOOGLE_JUDGE_MODEL: 'bench-judge',
  };
  const text = `key,task\n${Array.from({ length: rows }, (_, i) => `r${i},Summarise trade-off number ${i} of event sourcing in two sentences.`).join('\n')}\n`;
  const dir = mkdtempSync(join(tmpdir(), 'djp-bench-batch-'));
  const out: TargetRow[] = [];
  try {
    // --- one process, concurrency 16 -------------------------------------------------------------
    const svc = createDjpService({ store: createRunStore(join(dir, 'one'), { logger: silentLogger, env: {} }), env, surface: 'test' });
    const store = new BatchStore(new LocalBackend(join(dir, 'one')));
    const { manifest, rows: planned } = prepareBatch(text, { name: 'bench.csv', request: {}, createdBy: 'bench' });
    await store.createOrJoin(manifest, text);
    const plan = await projectBatch(svc, manifest, planned);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const results = await runBatchRows(svc, store, manifest, plan.rows, { identity: { user: 'bench', source: 'local' } }, { concurrency, worker: 'bench' });
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const ok = results.filter((r) => r.status === 'published' || r.status === 'advisory_only').length;
    const sample = await svc.getRun(results[0]!.run_id!);
    const passes = sample.judge.passes.length;
    const limit = LATENCY_MS * (1 + passes);
    const ideal = Math.ceil(rows / concurrency) * limit;
    const ratio = wall / ideal;
    console.log(`\nbatch — ${rows} rows, concurrency ${concurrency}, 3 debaters + judge via the real SDKs → fake providers at ${LATENCY_MS} ms per call, default options`);
    console.log(`  rows done ${ok}/${rows}; judge passes per run ${passes} (default margin) → one run's latency limit ${limit} ms`);
    console.log(`  wall ${(wall / 1000).toFixed(1)} s; ideal ⌈${rows}/${concurrency}⌉ × ${limit} ms = ${(ideal / 1000).toFixed(1)} s; wall ÷ ideal ${ratio.toFixed(3)}`);
    console.log(`  CPU per row ${((cpu.user + cpu.system) / 1000 / rows).toFixed(1)} ms (user ${(cpu.user / 1000 / rows).toFixed(1)}, system ${(cpu.system / 1000 / rows).toFixed(1)}) — service, SDKs, store and fake providers in one process`);
    out.push(summaryRow('batch', `${rows} rows at concurrency ${concurrency}: wall ÷ (⌈rows÷conc⌉ × run limit)`, ratio.toFixed(3), '≤ 1.10 (ours)', ratio <= 1.1));

    // --- 3 shards: worker processes on one RUNS_DIR ----------------------------------------------
    const runsDir = join(dir, 'sharded');
    const shardStore = new BatchStore(new LocalBackend(runsDir));
    const prepared = prepareBatch(text, { name: 'bench.csv', request: {}, createdBy: 'bench', batchId: 'bench-sharded' });
    await shardStore.createOrJoin(prepared.manifest, text);
    const loader = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;
    const t1 = performance.now();
    const codes = await Promise.all(
      [0, 1, 2].map(
        (i) =>
          new Promise<number | null>((res) => {
            const p = spawn(process.execPath, ['--import', loader, join(root, 'server/cli.ts'), 'batch', '--resume', 'bench-sharded', '--shard', `${i}/3`, '--concurrency', String(concurrency), '--quiet'], {
              env: { PATH: process.env.PATH ?? '', HOME: dir, RUNS_DIR: runsDir, ...env },
              stdio: 'ignore',
            });
            p.on('close', res);
          }),
      ),
    );
    const wall3 = performance.now() - t1;
    const states = await shardStore.states('bench-sharded');
    const done3 = [...states.values()].filter((s) => s.result?.status === 'published' || s.result?.status === 'advisory_only').length;
    const ideal3 = Math.ceil(Math.ceil(rows / 3) / concurrency) * limit;
    console.log(`  3 shards (worker processes, --shard i/3, concurrency ${concurrency} each, one local RUNS_DIR): exit codes ${codes.join(',')}, rows done ${done3}/${rows}`);
    console.log(`  3 shards wall ${(wall3 / 1000).toFixed(1)} s (process start-up included); ideal ⌈⌈${rows}/3⌉/${concurrency}⌉ × ${limit} ms = ${(ideal3 / 1000).toFixed(1)} s; wall ÷ ideal ${(wall3 / ideal3).toFixed(3)} — 2 cores shared by 3 workers and the fake providers`);
    out.push(summaryRow('batch', '3 shards: every row done exactly once', `${done3}/${rows}`, `${rows}/${rows}`, done3 === rows && states.size === rows));
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

if (process.argv[1] && import.meta.filename === process.argv[1]) await run();
