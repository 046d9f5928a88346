// Judge benchmark (issue 9, item 14): position bias, measured; and what the judge passes cost.
//
// 1. Bias table. 36 fixed tasks, each with three drafts of known quality (true totals 8, 7 and 5 out
//    of 10, assigned to the debaters in a different order per task). A fake judge scores each draft at
//    its true total ± 1 (seeded noise) and adds +2 to the FIRST-shown draft with probability p — the
//    position bias LLM judges show. Each task runs through the real pipeline (runPipeline: the seeded
//    shuffle, the swap pass, averaging, ranking, publish) with --judge_passes 1, auto and 2; the table
//    prints how often the truly best draft is published, and the judge calls per run.
// 2. Latency. Through the real openai SDK against the fake LLM server (judge answers after 300 ms), a
//    close call (tied scores) costs the judge stage two latencies with `auto` (the swap pass runs after
//    the first) and one with `2` (both orders in parallel from the start).
// Prints figures; asserts nothing. Run alone: npx tsx bench/judge.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JudgePasses, RunArtifact, RunRequest } from '../shared/api/index.js';
import { createRunStore, silentLogger } from '../shared/artifacts/index.js';
import { resolveRunParams } from '../shared/config/params.js';
import { BUILTIN_POLICIES } from '../shared/config/policy.js';
import { runPipeline } from '../shared/djp/pipeline.js';
import { JUDGE_MARKER, parseJudgePrompt } from '../shared/djp/prompts.js';
import { mulberry32 } from '../shared/djp/rng.js';
import { hash32 } from '../shared/providers/offline.js';
import { loadProviderRegistry } from '../shared/providers/registry.js';
import type { CompletionRequest, CompletionResult, LlmProvider } from '../shared/providers/types.js';
import { createDjpService } from '../shared/service/index.js';
import { judgeWith, startFakeLlmServer } from '../test/fakes/llm-server.js';
import { summaryRow, type TargetRow } from './summary.js';

export const TASKS = 36;
const QUALITIES = [8, 7, 5] as const;
const MODES: JudgePasses[] = ['1', 'auto', '2'];
const BIASES = [0, 0.25, 0.5, 0.75, 1];
const JUDGE_LATENCY_MS = 300;

/** Debater i of task t gets quality QUALITIES[(i + t) % 3]: the best draft moves between debaters. */
const qualityOf = (task: number, debater: number) => QUALITIES[(debater + task) % QUALITIES.length]!;

function biasedJudge(p: number): LlmProvider {
  let calls = 0;
  return {
    id: 'offline',
    async complete(req: CompletionRequest): Promise<CompletionResult> {
      let text: string;
      if (req.system.startsWith(JUDGE_MARKER)) {
        calls++;
        const rnd = mulberry32(hash32(req.prompt) ^ calls);
        const scores = parseJudgePrompt(req.prompt).map((d, position) => {
          const q = Number(/quality:(\d+)/.exec(d.body)?.[1] ?? 5);
          const noise = Math.floor(rnd() * 3) - 1; // -1, 0 or +1
          const bias = position === 0 && rnd() < p ? 2 : 0;
          const total = Math.max(0, Math.min(10, q + noise + bias));
          const task_fit = Math.min(4, total);
          const support = Math.min(4, total - task_fit);
          return { label: d.label, task_fit, support, clarity: total - task_fit - support, reasons: `Draft ${d.label}: ${total}/10` };
        });
        text = JSON.stringify({ scores });
      } else {
        text = JSON.stringify({ answer: `draft ${req.model} quality:${/quality:(\d+)/.exec(req.prompt)?.[1] ?? ''}`, evidence: ['e'], confidence: 0.5, safety_flags: [] });
      }
      return { text, usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 }, response_model: req.model, finish_reason: 'stop', truncated: null, structured: 'prompt' };
    },
  };
}

export interface BiasRow {
  p: number;
  mode: JudgePasses;
  bestPublished: number;
  judgeCalls: number;
}

/** One task through the real pipeline; the drafts' prompt carries their quality (the fake debater echoes it). */
async function runTask(task: number, mode: JudgePasses, p: number): Promise<RunArtifact> {
  const registry = await loadProviderRegistry({});
  const models = ['offline/alpha', 'offline/beta', 'offline/gamma'];
  const req: RunRequest = {
    task: `bench task ${task}`,
    debaters: models.map((model) => ({ provider: 'offline', model })),
    judge: { provider: 'offline', model: 'offline/judge' },
    judge_passes: mode,
    seed: task,
    redact: false,
  };
  const params = resolveRunParams(req, { registry });
  const provider = biasedJudge(p);
  const byModel = new Map(models.map((m, i) => [m, qualityOf(task, i)]));
  return runPipeline({
    runId: `01JBENCH${String(task).padStart(18, '0')}`,
    task: req.task,
    params,
    policy: BUILTIN_POLICIES.all,
    // each debater's prompt gets its quality marker, so the fake judge can score it
    providerFor: () => ({
      id: 'offline',
      complete: (r) => provider.complete(r.system.startsWith(JUDGE_MARKER) ? r : { ...r, prompt: `${r.prompt}\nquality:${byModel.get(r.model)}` }),
    }),
    provenance: { app_version: 'bench', git_sha: null, runtime: { node: process.version, platform: process.platform, arch: process.arch, surface: 'test' }, identity: { user: 'bench', source: 'local' }, replay_of: null },
    emit: () => undefined,
  });
}

export async function benchBias(tasks = TASKS): Promise<BiasRow[]> {
  const rows: BiasRow[] = [];
  for (const p of BIASES) {
    for (const mode of MODES) {
      let best = 0;
      let calls = 0;
      for (let t = 0; t < tasks; t++) {
        const a = await runTask(t, mode, p);
        const bestIdx = [0, 1, 2].find((i) => qualityOf(t, i) === QUALITIES[0])!;
        if (a.publish.status === 'published' && a.publish.draft_id === `d${bestIdx + 1}`) best++;
        calls += a.judge.passes.length;
      }
      rows.push({ p, mode, bestPublished: best / tasks, judgeCalls: calls / tasks });
    }
  }
  return rows;
}

export interface LatencyFigures {
  mode: JudgePasses;
  judgeMs: number;
  passes: number;
}

export async function benchPassLatency(iterations = 3): Promise<LatencyFigures[]> {
  const tie = judgeWith(() => ({ task_fit: 3, support: 3, clarity: 1 })); // a close call: margin 0
  const fake = await startFakeLlmServer({ models: { 'lat-a': {}, 'lat-b': {}, 'lat-j': { text: tie, latencyMs: JUDGE_LATENCY_MS } } });
  const dir = mkdtempSync(join(tmpdir(), 'djp-bench-judge-'));
  const svc = createDjpService({
    store: createRunStore(join(dir, 'runs'), { logger: silentLogger, env: {} }),
    env: { OPENAI_API_KEY: 'bench-key', OPENAI_BASE_URL: fake.openaiBaseURL },
    surface: 'test',
  });
  const out: LatencyFigures[] = [];
  try {
    for (const mode of ['auto', '2'] as const) {
      const ms: number[] = [];
      let passes = 0;
      for (let i = 0; i < iterations; i++) {
        const { id } = await svc.startRun(
          { task: 'close call', debaters: [{ provider: 'openai', model: 'lat-a' }, { provider: 'openai', model: 'lat-b' }], judge: { provider: 'openai', model: 'lat-j' }, judge_passes: mode },
          { identity: { user: 'bench', source: 'local' } },
        );
        await new Promise<void>((resolve) => void svc.subscribe(id, (e) => (e.type === 'run.done' || e.type === 'run.error') && resolve()));
        const a = await svc.getRun(id);
        ms.push(a.timings_ms.judge);
        passes = a.judge.passes.length;
      }
      ms.sort((a, b) => a - b);
      out.push({ mode, judgeMs: ms[Math.floor(ms.length / 2)]!, passes });
    }
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

export async function run(): Promise<TargetRow[]> {
  const rows = await benchBias();
  console.log(`judge: position bias — ${TASKS} tasks, drafts of true quality ${QUALITIES.join('/')} (±1 noise), +2 for the first-shown draft with probability p`);
  console.log('  p      truly best published (judge calls per run)');
  console.log(`         ${MODES.map((m) => `--judge_passes ${m}`.padEnd(24)).join('')}`);
  for (const p of BIASES) {
    const cells = MODES.map((m) => rows.find((r) => r.p === p && r.mode === m)!).map((r) => `${(r.bestPublished * 100).toFixed(0)}% (${r.judgeCalls.toFixed(2)})`.padEnd(24));
    console.log(`  ${p.toFixed(2)}   ${cells.join('')}`);
  }
  const lat = await benchPassLatency();
  console.log(`judge: close call, judge answering in ${JUDGE_LATENCY_MS} ms (real openai SDK, fake server), median judge stage`);
  for (const l of lat) console.log(`  --judge_passes ${l.mode.padEnd(4)}  ${l.judgeMs} ms  (${l.passes} judge calls, ${(l.judgeMs / JUDGE_LATENCY_MS).toFixed(2)} × the judge latency)`);
  const two = lat.find((l) => l.mode === '2')!;
  const b2 = rows.filter((r) => r.mode === '2' && r.p === 0.5)[0]!;
  const b1 = rows.filter((r) => r.mode === '1' && r.p === 0.5)[0]!;
  return [
    summaryRow('judge', 'judge_passes 2, close call: judge stage', `${(two.judgeMs / JUDGE_LATENCY_MS).toFixed(2)} × latency`, '≤ 1.5 × latency (auto: 2 ×)', two.judgeMs <= 1.5 * JUDGE_LATENCY_MS),
    summaryRow('judge', 'best published at p=0.5: passes 2 vs 1', `${(b2.bestPublished * 100).toFixed(0)}% vs ${(b1.bestPublished * 100).toFixed(0)}%`, 'passes 2 ≥ passes 1', b2.bestPublished >= b1.bestPublished),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
