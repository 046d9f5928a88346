// Server benchmark, against the built server (tsc → a temp dist/, started with plain `node` as the
// container does) and the fake LLM server (real SDKs, fixed latencies):
//   1. process start → first /healthz 200 (target < 1 s)
//   2. /healthz p99 while 50 runs are in flight (target < 10 ms)
//   3. wall time of 50 concurrent runs (3 debaters, 300 ms per call as documented for the pipeline
//      bench) ÷ the latency limit: 300 ms of debate + 300 ms per judge pass a run made — what no
//      server can beat — (target ≤ 1.3); one run's own wall time is printed beside it
//   4. the server process's peak RSS (target < 300 MB)
// Prints figures; asserts nothing. Run alone: npx tsx bench/server.ts (or npm run bench -- server)
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeLlmServer, type FakeLlmServer } from '../test/fakes/llm-server.js';
import { summaryRow, type TargetRow } from './summary.js';

const root = join(import.meta.dirname, '..');
const CONCURRENT = 50;
const DRAFT_LATENCY_MS = 300;
const JUDGE_LATENCY_MS = 300;

export interface ServerFigures {
  startToHealthyMs: number[];
  healthzDuringLoad: { count: number; p50Ms: number; p99Ms: number; maxMs: number };
  singleRunMs: number;
  concurrentWallMs: number;
  /** The fastest a run can be: debate + each judge pass (the batch's most judge passes). */
  latencyLimitMs: number;
  ratio: number;
  peakRssMb: number;
  /** Server CPU time per run during the 50-run batch: what limits concurrency on a small machine. */
  serverCpuPerRunMs: number;
  failedRuns: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
};

export function buildApp(): string {
  const app = mkdtempSync(join(tmpdir(), 'djp-bench-server-'));
  execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(root, 'tsconfig.build.json'), '--outDir', join(app, 'dist')], { cwd: root, stdio: 'inherit' });
  cpSync(join(root, 'package.json'), join(app, 'package.json'));
  symlinkSync(join(root, 'node_modules'), join(app, 'node_modules'), 'dir');
  return app;
}

function spawnServer(app: string, port: number, env: Record<string, string>): ChildProcess {
  const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production' };
  // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of each server process there (for finding hot spots).
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
  return spawn(process.execPath, [...prof, 'dist/server/cli.js', 'serve', '--port', String(port), '--host', '127.0.0.1'], {
    cwd: app,
    // The 50 SSE clients stand for 50 users but all come from 127.0.0.1, one identity under DJP_AUTH=none:
    // the per-identity stream cap (DJP_MAX_SSE_PER_IDENTITY, default 20) would refuse 30 of them with 429.
    // The per-process caps stay at their defaults.
    env: { ...base, DJP_LOG_LEVEL: 'warn', DJP_MAX_SSE_PER_IDENTITY: '200', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

async function waitHealthy(url: string, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.status === 200) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > until) throw new Error(`server at ${url} not healthy within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** POST a run and read its SSE stream until run.done / run.error; resolves with the final type and
 *  the number of judge passes the run made. */
async function runOnce(url: string): Promise<{ last: string; judgePasses: number }> {
  const res = await fetch(`${url}/api/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      task: 'Summarise the trade-offs of server-sent events versus WebSockets.',
      debaters: [
        { provider: 'openai', model: 'bench-draft-a' },
        { provider: 'anthropic', model: 'bench-draft-b' },
        { provider: 'google', model: 'bench-draft-c' },
      ],
      judge: { provider: 'openai', model: 'bench-judge' },
    }),
  });
  if (res.status !== 202) throw new Error(`POST /api/runs: ${res.status} ${await res.text()}`);
  const { id } = (await res.json()) as { id: string };
  const ev = await fetch(`${url}/api/runs/${id}/events`);
  const text = await ev.text(); // the stream ends after run.done / run.error
  const types = [...text.matchAll(/^event: (\S+)$/gm)].map((m) => m[1]);
  return { last: types.at(-1) ?? 'none', judgePasses: types.filter((t) => t === 'judge.started').length };
}

/** A child process that GETs /healthz back to back (5 ms apart) until told to stop; reports timings. */
function startProber(url: string): { ready: Promise<void>; stop(): Promise<number[]> } {
  const script = `
    const url = process.argv[1];
    const out = [];
    let on = true;
    process.on('message', () => { on = false; });
    (async () => {
      await (await fetch(url + '/healthz')).arrayBuffer();
      process.send('ready');
      while (on) {
        const t = performance.now();
        const r = await fetch(url + '/healthz');
        await r.arrayBuffer();
        out.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 5));
      }
      process.send(out, () => process.exit(0));
    })();`;
  const child = spawn(process.execPath, ['-e', script, `${url}`], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let resolveReady!: () => void;
  const ready = new Promise<void>((r) => (resolveReady = r));
  let resolveOut!: (xs: number[]) => void;
  const out = new Promise<number[]>((r) => (resolveOut = r));
  child.on('message', (m) => (m === 'ready' ? resolveReady() : resolveOut(m as number[])));
  return {
    ready,
    stop: async () => {
      child.send('stop');
      return out;
    },
  };
}

/** CPU time (user + system) the process has used so far, in ms (Linux /proc). */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
    return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return NaN;
  }
}

function peakRssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
    return Math.round((kb / 1024) * 10) / 10;
  } catch {
    return NaN;
  }
}

export async function benchServer(): Promise<ServerFigures> {
  const app = buildApp();
  const runsDir = join(app, 'runs');
  const fake: FakeLlmServer = await startFakeLlmServer({
    models: {
      'bench-draft-a': { latencyMs: DRAFT_LATENCY_MS, chunks: 8 },
      'bench-draft-b': { latencyMs: DRAFT_LATENCY_MS, chunks: 8 },
      'bench-draft-c': { latencyMs: DRAFT_LATENCY_MS, chunks: 8 },
      'bench-judge': { latencyMs: JUDGE_LATENCY_MS },
    },
  });
  const env = {
    RUNS_DIR: runsDir,
    OPENAI_API_KEY: 'sk-bench-0000000000000000',
    OPENAI_BASE_URL: fake.openaiBaseURL,
    ANTHROPIC_API_KEY: 'sk-ant-bench-000000000000',
    ANTHROPIC_BASE_URL: fake.anthropicBaseURL,
    GOOGLE_API_KEY: 'AIza-bench-00000000000000000000',
    GOOGLE_BASE_URL: fake.openaiBaseURL,
  };
  try {
    // 1. start → healthy, five cold starts.
    const startToHealthyMs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const port = await freePort();
      const t0 = performance.now();
      const child = spawnServer(app, port, env);
      await waitHealthy(`http://127.0.0.1:${port}`);
      startToHealthyMs.push(Math.round(performance.now() - t0));
      await stop(child);
    }

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawnServer(app, port, env);
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    await waitHealthy(url);
    try {
      // Warm-up, then the single-run baseline (median of 3).
      await runOnce(url);
      const singles: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        await runOnce(url);
        singles.push(performance.now() - t);
      }
      const singleRunMs = Math.round(pct(singles, 50));

      // 2. /healthz probed back to back while 50 runs are in flight. The prober is its own process,
      // so its timings are the server's latency, not this process's event-loop lag (this process
      // also runs the fake LLM server and the 50 SSE clients).
      const prober = startProber(url);
      await prober.ready;
      const batch = () => Promise.all(Array.from({ length: CONCURRENT }, () => runOnce(url).catch((e: Error) => ({ last: `error: ${e.message}`, judgePasses: 0 }))));
      const probed = await batch();
      const probes = await prober.stop();

      // 3. 50 concurrent runs again, without the prober competing for CPU: wall time ÷ one run's.
      const cpu0 = cpuMs(child.pid!);
      const t0 = performance.now();
      const outcomes = [...(await batch()), ...probed];
      const concurrentWallMs = Math.round(performance.now() - t0);
      const serverCpuPerRunMs = +((cpuMs(child.pid!) - cpu0) / CONCURRENT).toFixed(1);
      const failedRuns = outcomes.filter((o) => o.last !== 'run.done').length;
      const latencyLimitMs = DRAFT_LATENCY_MS + JUDGE_LATENCY_MS * Math.max(1, ...outcomes.map((o) => o.judgePasses));
      const peak = peakRssMb(child.pid!);
      return {
        startToHealthyMs,
        healthzDuringLoad: { count: probes.length, p50Ms: +pct(probes, 50).toFixed(2), p99Ms: +pct(probes, 99).toFixed(2), maxMs: +Math.max(...probes).toFixed(2) },
        singleRunMs,
        concurrentWallMs,
        latencyLimitMs,
        ratio: +(concurrentWallMs / latencyLimitMs).toFixed(2),
        peakRssMb: peak,
        serverCpuPerRunMs,
        failedRuns,
      };
    } finally {
      await stop(child);
      if (child.exitCode !== 0) process.stderr.write(`server exited ${child.exitCode}: ${stderr}\n`);
    }
  } finally {
    await fake.close();
    rmSync(app, { recursive: true, force: true });
  }
}

export function printServerFigures(f: ServerFigures): TargetRow[] {
  const median = pct(f.startToHealthyMs, 50);
  const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED');
  console.log('server (built dist, plain node, fake LLM providers: drafts %d ms, judge %d ms)', DRAFT_LATENCY_MS, JUDGE_LATENCY_MS);
  // Other work on the machine skews every figure here: say how busy it was.
  console.log(`  machine: ${cpus().length} CPUs, load average ${loadavg().map((x) => x.toFixed(1)).join(' / ')} (1/5/15 min)`);
  console.log(`  process start → /healthz 200: median ${median} ms, max ${Math.max(...f.startToHealthyMs)} ms (runs: ${f.startToHealthyMs.join(', ')})  target < 1000 ms  ${mark(Math.max(...f.startToHealthyMs) < 1000)}`);
  console.log(`  /healthz during ${CONCURRENT} in-flight runs: p50 ${f.healthzDuringLoad.p50Ms} ms, p99 ${f.healthzDuringLoad.p99Ms} ms, max ${f.healthzDuringLoad.maxMs} ms over ${f.healthzDuringLoad.count} probes  target p99 < 10 ms  ${mark(f.healthzDuringLoad.p99Ms < 10)}`);
  console.log(`  ${CONCURRENT} concurrent runs (3 debaters): ${f.concurrentWallMs} ms ÷ latency limit ${f.latencyLimitMs} ms = ${f.ratio}  target ≤ 1.3  ${mark(f.ratio <= 1.3 && f.failedRuns === 0)}${f.failedRuns ? `  (${f.failedRuns} runs failed)` : ''}; one run alone: ${f.singleRunMs} ms`);
  console.log(`  server CPU per run (50-run batch): ${f.serverCpuPerRunMs} ms`);
  console.log(`  peak RSS of the server process: ${f.peakRssMb} MB  target < 300 MB  ${mark(f.peakRssMb < 300)}`);
  return [
    summaryRow('server', 'process start → /healthz 200 (max of 5)', `${Math.max(...f.startToHealthyMs)} ms`, '< 1000 ms', Math.max(...f.startToHealthyMs) < 1000),
    summaryRow('server', `/healthz p99 during ${CONCURRENT} runs`, `${f.healthzDuringLoad.p99Ms} ms`, '< 10 ms', f.healthzDuringLoad.p99Ms < 10),
    summaryRow('server', `${CONCURRENT} runs wall ÷ latency limit (3 debaters, 300 ms)`, `${f.ratio}`, '≤ 1.3', f.ratio <= 1.3 && f.failedRuns === 0),
    summaryRow('server', 'peak RSS', `${f.peakRssMb} MB`, '< 300 MB', f.peakRssMb < 300),
  ];
}

export async function run(): Promise<TargetRow[]> {
  return printServerFigures(await benchServer());
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
