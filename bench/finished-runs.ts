// Memory a finished run keeps (issue 11 item 7: "a finished run's events are dropped once it is saved,
// not kept for 5 minutes"). The real service (default guardrails and cost meter) over a local store in
// a temp folder; 3 debaters + a judge through the real OpenAI SDK against the fake LLM server, each
// draft streamed in 40 pieces so a run has as many events as a real one. After a warm-up, N runs
// (default 1,000, 16 at a time, after 300 warm-up runs) are started and followed to run.done; then, after a full GC, the heap
// and RSS growth are divided by N. A subscriber counts each run's events and their JSON size while it
// is live (it keeps only the counts). Prints figures; asserts nothing.
// Run alone: npx tsx bench/finished-runs.ts [--runs 1000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { CallContext, RunEvent } from '../shared/api/index.js';
import { createRunStore, silentLogger } from '../shared/artifacts/index.js';
import { createDjpService, type DjpService } from '../shared/service/index.js';
import { startFakeLlmServer } from '../test/fakes/llm-server.js';
import { summaryRow, type TargetRow } from './summary.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const ctx: CallContext = { identity: { user: 'bench', source: 'local' } };
const REQUEST: { debaters: Array<{ provider: 'openai'; model: string }>; judge: { provider: 'openai'; model: string }; margin_threshold: number } = {
  debaters: [
    { provider: 'openai', model: 'mem-a' },
    { provider: 'openai', model: 'mem-b' },
    { provider: 'openai', model: 'mem-c' },
  ],
  judge: { provider: 'openai', model: 'mem-judge' },
  margin_threshold: 0,
};
const ANSWER = JSON.stringify({ answer: `${'A streamed answer sentence of ordinary length. '.repeat(30)}`, evidence: ['source'], confidence: 0.7, safety_flags: [] });

/** Heap after a full GC; the fake server's request log (every prompt it got) is emptied first: it is the bench's memory, not the service's. */
function settle(fake: { requests: unknown[] }): number {
  fake.requests.length = 0;
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage().heapUsed;
}

async function runMany(svc: DjpService, n: number, concurrency: number, seen: { events: number; bytes: number }): Promise<void> {
  let next = 0;
  const one = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      const { id } = await svc.startRun({ task: `Memory bench task ${i}: explain retries.`, ...REQUEST }, ctx);
      await new Promise<void>((resolve) => {
        let stop: (() => void) | null = null;
        let ended = false;
        void svc
          .subscribe(id, (e: RunEvent) => {
            seen.events++;
            seen.bytes += JSON.stringify(e).length;
            if (e.type === 'run.done' || e.type === 'run.error') {
              ended = true;
              stop?.();
              resolve();
            }
          })
          .then((s) => {
            stop = s;
            if (ended) s();
          });
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, one));
}

export async function run(argv: string[] = process.argv): Promise<TargetRow[]> {
  const at = argv.indexOf('--runs');
  const runs = at >= 0 ? Number(argv[at + 1]) : 1000;
  const fake = await startFakeLlmServer({
    models: {
      'mem-a': { text: ANSWER, chunks: 40 },
      'mem-b': { text: ANSWER, chunks: 40 },
      'mem-c': { text: ANSWER, chunks: 40 },
    },
  });
  const dir = mkdtempSync(join(tmpdir(), 'djp-bench-mem-'));
  const env = { OPENAI_API_KEY: 'bench-key', OPENAI_BASE_URL: fake.openaiBaseURL };
  try {
    const store = createRunStore(join(dir, 'runs'), { env, logger: silentLogger });
    const svc = createDjpService({ store, env, surface: 'test' });
    // Warm-up: the first few hundred runs grow the heap by JIT code, SDK clients and module caches
    // (~10 KB per run over the first 200, measured); that is process state, not per-run state, so it
    // is reported separately and the figure is taken after it.
    const heapStart = settle(fake);
    const warm = { events: 0, bytes: 0 };
    const warmRuns = 300;
    await runMany(svc, warmRuns, 16, warm);
    await new Promise((r) => setTimeout(r, 200));
    const heap0 = settle(fake);
    const mem0 = process.memoryUsage();
    const rss0 = mem0.rss;
    const seen = { events: 0, bytes: 0 };
    const t0 = performance.now();
    // The heap after a full GC every quarter of the runs; the figure is the least-squares slope
    // (bytes per finished run), steadier than one before/after difference (GC noise is ~±1 MB).
    const points: Array<[number, number]> = [[0, heap0]];
    const step = Math.max(1, Math.round(runs / 4));
    for (let done = 0; done < runs; ) {
      const n = Math.min(step, runs - done);
      await runMany(svc, n, 16, seen);
      done += n;
      await new Promise((r) => setTimeout(r, 100));
      points.push([done, settle(fake)]);
    }
    const wall = performance.now() - t0;
    const heap1 = points.at(-1)![1];
    const mem1 = process.memoryUsage();
    const rss1 = mem1.rss;
    const mx = points.reduce((a, [x]) => a + x, 0) / points.length;
    const my = points.reduce((a, [, y]) => a + y, 0) / points.length;
    const slope = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) / points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
    const perRun = slope;
    const eventsPerRun = seen.bytes / runs;
    console.log(`finished-runs: ${runs} runs (3 debaters streaming 40 pieces each + judge, real OpenAI SDK → fake server, local store), ${(wall / 1000).toFixed(1)} s`);
    console.log(`  warm-up: ${warmRuns} runs first, heap +${((heap0 - heapStart) / 1024).toFixed(0)} KB (JIT, SDK and module caches; not counted below)`);
    console.log(`  events per run while live: ${(seen.events / runs).toFixed(0)} events, ${(eventsPerRun / 1024).toFixed(1)} KB as JSON`);
    console.log(`  heap after a full GC, every ${step} runs: ${points.map(([x, y]) => `${x}: ${((y - heap0) / 1024).toFixed(0)} KB`).join(', ')} (relative to the start)`);
    console.log(`  heap kept per finished run (slope): ${perRun.toFixed(0)} B (${((perRun / eventsPerRun) * 100).toFixed(1)}% of its events; ${((heap1 - heap0) / 1024).toFixed(0)} KB in all)`);
    console.log(`  outside the heap: external ${((mem1.external - mem0.external) / 1024).toFixed(0)} KB, array buffers ${((mem1.arrayBuffers - mem0.arrayBuffers) / 1024).toFixed(0)} KB in all`);
    console.log(`  RSS growth: ${((rss1 - rss0) / 1024 / 1024).toFixed(1)} MB in all → ${((rss1 - rss0) / runs / 1024).toFixed(1)} KB per finished run (RSS includes allocator slack; heap is the figure that counts)`);
    console.log(`  in memory now: ${svc.inFlight()} running; what a finished run keeps is its final event seq (FinishedRuns, capped at 10,000 runs)`);
    return [summaryRow('finished-runs', `heap kept per finished run (${runs} runs)`, `${perRun.toFixed(0)} B`, '< 10% of its events', perRun < eventsPerRun * 0.1)];
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.filename === process.argv[1]) await run();
