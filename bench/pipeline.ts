// Pipeline benchmark: 3 debaters (OpenAI, Anthropic, Google wire formats through the real SDKs) + a
// judge, against the fake LLM server with a fixed 300 ms latency per call. Prints the run's wall
// time (startRun → run.done, artifact saved) divided by the latency limit: slowest debater + each judge
// pass the run made (300 ms each). With the debaters truly parallel and little overhead, the ratio is
// close to 1.0. Target ≤ 1.05. Three cases: one judge pass (margin_threshold 0), the default margin
// (the judge runs again in reverse order when the top two are close: the swap pass, as users get it),
// and the default margin with guardrails and cost meter as the CLI and server run it.
// Prints figures; asserts nothing. Run alone: npx tsx bench/pipeline.ts [--iterations 7]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CostProjection, RunArtifact, RunParameters, RunRequest } from '../shared/api/index.js';
import { createRunStore, silentLogger } from '../shared/artifacts/index.js';
import { createCostMeter } from '../shared/cost/meter.js';
import { loadPricing } from '../shared/cost/pricing.js';
import { projectCost } from '../shared/cost/projection.js';
import { createGuardrails } from '../shared/guardrails/index.js';
import { createDjpService } from '../shared/service/index.js';
import { startFakeLlmServer } from '../test/fakes/llm-server.js';
import { summaryRow, type TargetRow } from './summary.js';

export const LATENCY_MS = 300;

export interface PipelineFigures {
  label: string;
  iterations: number;
  /** Judge passes per run (2 when the swap pass ran). */
  judgePasses: number[];
  wallMs: number[];
  /** wall / (slowest debater + judge), nominal latencies (300 + 300 ms). */
  ratioNominal: number[];
  /** wall / (slowest debater call + judge call) as measured inside the run (SDK time included). */
  ratioMeasured: number[];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

export async function benchPipeline(opts: { iterations?: number; guardrails?: boolean; defaultMargin?: boolean } = {}): Promise<PipelineFigures> {
  const iterations = opts.iterations ?? 7;
  const fake = await startFakeLlmServer({
    models: {
      'bench-gpt': { latencyMs: LATENCY_MS },
      'bench-claude': { latencyMs: LATENCY_MS },
      'bench-gemini': { latencyMs: LATENCY_MS },
      'bench-judge': { latencyMs: LATENCY_MS },
    },
  });
  const dir = mkdtempSync(join(tmpdir(), 'djp-bench-'));
  const env = {
    OPENAI_API_KEY: 'bench-key',
    OPENAI_BASE_URL: fake.openaiBaseURL,
    ANTHROPIC_API_KEY: 'bench-key',
    ANTHROPIC_BASE_URL: fake.anthropicBaseURL,
    GOOGLE_API_KEY: 'bench-key',
    GOOGLE_BASE_URL: fake.openaiBaseURL,
  };
  const pricing = opts.guardrails ? loadPricing(null, {}) : null;
  const svc = createDjpService({
    store: createRunStore(dir, { logger: silentLogger, env: {} }),
    env,
    surface: 'test',
    // As the CLI and server run it: redaction (incl. streamed deltas), content checks, cost meter.
    ...(opts.guardrails && pricing
      ? {
          makeGuardrails: (params: RunParameters) => createGuardrails(params),
          makeCostMeter: (params: RunParameters, projection: CostProjection) => createCostMeter(params, projection, { pricing }),
          projectCost: (task: string, params: RunParameters) => projectCost(task, params, pricing),
        }
      : {}),
  });
  const req: RunRequest = {
    task: 'Summarize the trade-offs of event sourcing in three sentences.',
    debaters: [
      { provider: 'openai', model: 'bench-gpt' },
      { provider: 'anthropic', model: 'bench-claude' },
      { provider: 'google', model: 'bench-gemini' },
    ],
    judge: { provider: 'openai', model: 'bench-judge' },
    // margin 0: one judge pass; else the default margin (swap pass when the top two are close).
    ...(opts.defaultMargin ? {} : { margin_threshold: 0 }),
    policy: 'all',
  };
  const ctx = { identity: { user: 'bench', source: 'local' as const } };
  const once = async (): Promise<{ wall: number; artifact: RunArtifact }> => {
    const t = performance.now();
    const { id } = await svc.startRun(req, ctx);
    await new Promise<void>((resolve, reject) => {
      void svc.subscribe(id, (e) => {
        if (e.type === 'run.done') resolve();
        if (e.type === 'run.error') reject(new Error(e.message));
      });
    });
    const wall = performance.now() - t;
    return { wall, artifact: await svc.getRun(id) };
  };
  const label = `${opts.guardrails ? 'with guardrails + cost meter (as CLI/server)' : 'bare pipeline (no guardrails)'}, ${opts.defaultMargin ? 'default margin (swap pass when close)' : 'margin 0 (one judge pass)'}`;
  const figs: PipelineFigures = { label, iterations, judgePasses: [], wallMs: [], ratioNominal: [], ratioMeasured: [] };
  try {
    await once(); // warm-up: module loading, first connections
    for (let i = 0; i < iterations; i++) {
      const { wall, artifact } = await once();
      if (artifact.status !== 'published') throw new Error(`bench run ended ${artifact.status}: ${artifact.publish.reason}`);
      const slowest = Math.max(...artifact.drafts.map((d) => d.latency_ms));
      const judge = artifact.judge.passes.reduce((a, p) => a + p.latency_ms, 0);
      figs.wallMs.push(wall);
      const passes = artifact.judge.passes.length;
      figs.judgePasses.push(passes);
      figs.ratioNominal.push(wall / (LATENCY_MS * (1 + passes)));
      figs.ratioMeasured.push(wall / (slowest + judge));
    }
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return figs;
}

export function printPipelineFigures(f: PipelineFigures): TargetRow[] {
  const r = (x: number) => x.toFixed(3);
  const met = median(f.ratioNominal) <= 1.05;
  console.log(`\npipeline — 3 debaters + judge, real SDKs → fake providers, fixed 300 ms latency per call — ${f.label}`);
  console.log(`  runs: ${f.iterations} (after one warm-up); judge passes per run: ${f.judgePasses.join(', ')}`);
  console.log(`  wall time        median ${median(f.wallMs).toFixed(0)} ms  (min ${Math.min(...f.wallMs).toFixed(0)}, max ${Math.max(...f.wallMs).toFixed(0)})`);
  console.log(`  wall / latency limit (300 ms debate + 300 ms per judge pass)   median ${r(median(f.ratioNominal))}  (max ${r(Math.max(...f.ratioNominal))})   target ≤ 1.05: ${met ? 'met' : 'MISSED'}`);
  console.log(`  wall / (slowest debater + judge), as measured per call median ${r(median(f.ratioMeasured))}  (max ${r(Math.max(...f.ratioMeasured))})`);
  return [summaryRow('pipeline', `wall ÷ latency limit, ${f.label}`, r(median(f.ratioNominal)), '≤ 1.05', met)];
}

/** Entry for bench/index.ts. */
export async function run(): Promise<TargetRow[]> {
  const i = process.argv.indexOf('--iterations');
  const iterations = i > 0 ? Number(process.argv[i + 1]) : undefined;
  return [
    ...printPipelineFigures(await benchPipeline({ iterations })),
    ...printPipelineFigures(await benchPipeline({ iterations, defaultMargin: true })),
    ...printPipelineFigures(await benchPipeline({ iterations, guardrails: true, defaultMargin: true })),
  ];
}

if (process.argv[1] && import.meta.filename === process.argv[1]) await run();
