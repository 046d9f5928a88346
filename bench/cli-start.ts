// CLI start benchmark: `djp run` from process start to its first provider call, against the installed
// command (scripts/build-cli.mjs → a temp dist/cli/djp.mjs, the file package.json's "bin" names,
// started with plain `node` as the bin does, its compile cache in a temp folder) and the fake LLM server
// (the real OpenAI SDK, answers at once). Figures:
//   1. spawn → the first chat request reaches the server (target ≤ 120 ms, median of 7 cold starts)
//   2. the recorded latency of that call in the artifact: the server answers at once, so what is
//      recorded beyond a few ms would be our own overhead (e.g. SDK loading counted as call time)
//   3. for scale, two floors measured the same way: `node -e 0`, and the smallest program that makes
//      the same call (the OpenAI SDK streaming one chat completion to the same server, bundled and
//      compile-cached like the CLI): what any `djp run` pays before its own code; the CLI's figure
//      minus this floor is what our start-up costs
// Prints figures; asserts nothing. Run alone: npx tsx bench/cli-start.ts (or npm run bench -- cli)
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeLlmServer } from '../test/fakes/llm-server.js';
import { summaryRow, type TargetRow } from './summary.js';

const RUNS = 7;
const TARGET_MS = 120;

export interface CliStartFigures {
  firstCallMs: number[];
  /** `node -e 0` on this machine now: what Node itself costs before any of our code. */
  bareNodeMs: number[];
  /** The OpenAI SDK's first streamed call from a 5-line program: Node + fetch (undici) + the SDK. */
  sdkFloorMs: number[];
  /** The CLI process's CPU time (user + system) when its first call arrived: what load does not inflate. */
  firstCallCpuMs: number[];
  recordedLatencyMs: number[];
  totalMs: number[];
}

/** CPU time (user + system) a process has used so far, in ms (Linux /proc; USER_HZ 100). */
function cpuMs(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

export async function benchCliStart(): Promise<CliStartFigures> {
  // The bundle, the package.json it reads its version from, and node_modules for the packages the
  // bundle leaves to Node (the way it is installed).
  const root = join(import.meta.dirname, '..');
  const app = mkdtempSync(join(tmpdir(), 'djp-bench-cli-'));
  cpSync(join(root, 'package.json'), join(app, 'package.json'));
  symlinkSync(join(root, 'node_modules'), join(app, 'node_modules'), 'dir');
  execFileSync(process.execPath, [join(root, 'scripts', 'build-cli.mjs'), join(app, 'dist', 'cli')], { stdio: 'inherit' });
  let pid = 0;
  let cpuAtFirstCall = NaN;
  const draft = JSON.stringify({ answer: 'The Nile and the Amazon.', evidence: [] });
  const fake = await startFakeLlmServer({
    models: {
      // Called as the request arrives: read the CLI's CPU time then.
      'start-draft': { latencyMs: 0, chunks: 1, text: () => ((cpuAtFirstCall = cpuMs(pid)), draft) },
      'start-judge': { latencyMs: 0 },
    },
  });
  const out: CliStartFigures = { firstCallMs: [], bareNodeMs: [], sdkFloorMs: [], firstCallCpuMs: [], recordedLatencyMs: [], totalMs: [] };
  // The floor program: the call djp run makes first, and nothing else; bundled with the same esbuild
  // options as the CLI (scripts/build-cli.mjs) and started with its compile cache on.
  writeFileSync(join(app, 'floor-call.ts'), [
    "import OpenAI from 'openai';",
    'const client = new OpenAI({ apiKey: process.env.OPENAI_API_KEY, baseURL: process.env.OPENAI_BASE_URL, maxRetries: 0 });',
    "const stream = await client.chat.completions.create({ model: 'start-draft', messages: [{ role: 'user', content: 'Name two rivers.' }], stream: true });",
    'for await (const _ of stream) void _;',
  ].join('\n'));
  await build({ absWorkingDir: root, entryPoints: [join(app, 'floor-call.ts')], outfile: join(app, 'floor-call.mjs'), bundle: true, format: 'esm', platform: 'node', target: 'node22', minifyWhitespace: true, minifySyntax: true, logLevel: 'warning' });
  writeFileSync(join(app, 'floor.mjs'), "import { enableCompileCache } from 'node:module';\nenableCompileCache?.();\nawait import('./floor-call.mjs');\n");
  try {
    for (let i = 0; i < RUNS; i++) {
      const t0 = Date.now();
      await new Promise((r) => spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' }).on('close', r));
      out.bareNodeMs.push(Date.now() - t0);
    }
    for (let i = 0; i <= RUNS; i++) {
      const before = fake.requests.length;
      const t0 = Date.now();
      const code = await new Promise<number | null>((r) =>
        spawn(process.execPath, ['floor.mjs'], { cwd: app, env: { PATH: process.env.PATH, HOME: app, NODE_COMPILE_CACHE: join(app, 'compile-cache'), OPENAI_API_KEY: 'sk-bench-0000000000000000', OPENAI_BASE_URL: fake.openaiBaseURL }, stdio: 'ignore' }).on('close', r),
      );
      const first = fake.requests[before];
      if (code !== 0 || !first) throw new Error(`the floor program failed (exit ${code})`);
      if (i > 0) out.sdkFloorMs.push(first.at - t0); // the first start fills the compile cache
    }
    for (let i = 0; i <= RUNS; i++) {
      const before = fake.requests.length;
      const t0 = Date.now();
      const child = spawn(process.execPath, ['dist/cli/djp.mjs', 'run', '--task', 'Name two rivers.', '--debaters', 'openai:start-draft', '--judge', 'openai:start-judge', '--policy', 'all', '--json', '--quiet'], {
        cwd: app,
        env: { PATH: process.env.PATH, HOME: app, NODE_COMPILE_CACHE: join(app, 'compile-cache'), RUNS_DIR: join(app, 'runs'), OPENAI_API_KEY: 'sk-bench-0000000000000000', OPENAI_BASE_URL: fake.openaiBaseURL },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      pid = child.pid!;
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const code = await new Promise<number | null>((r) => child.on('close', r));
      const total = Date.now() - t0;
      if (code !== 0) throw new Error(`djp run exited ${code}: ${stderr}`);
      const first = fake.requests[before];
      if (!first) throw new Error('no provider call reached the fake server');
      const run = (JSON.parse(stdout) as { run: { drafts: Array<{ attempts: Array<{ latency_ms: number }> }> } }).run;
      if (i === 0) continue; // the first start warms the OS file cache and fills the compile cache; not counted
      out.firstCallMs.push(first.at - t0);
      out.firstCallCpuMs.push(cpuAtFirstCall);
      out.recordedLatencyMs.push(run.drafts[0]!.attempts[0]!.latency_ms);
      out.totalMs.push(total);
    }
    return out;
  } finally {
    await fake.close();
    rmSync(app, { recursive: true, force: true });
  }
}

export function cliStartRows(f: CliStartFigures): TargetRow[] {
  const m = median(f.firstCallMs);
  return [summaryRow('cli', `djp run: process start → first provider call (median of ${RUNS})`, `${m} ms`, `≤ ${TARGET_MS} ms`, m <= TARGET_MS)];
}

export function printCliStartFigures(f: CliStartFigures): TargetRow[] {
  console.log('cli start (the installed bundle dist/cli/djp.mjs, plain node, warm compile cache, fake OpenAI endpoint answering at once)');
  console.log(`  machine: ${cpus().length} CPUs, load average ${loadavg().map((x) => x.toFixed(1)).join(' / ')} (1/5/15 min)`);
  const rows = cliStartRows(f);
  console.log(`  process start → first provider call: median ${median(f.firstCallMs)} ms (runs: ${f.firstCallMs.join(', ')})  target ≤ ${TARGET_MS} ms  ${rows[0]!.met ? 'met' : 'MISSED'}`);
  console.log(`  for scale, \`node -e 0\` on this machine now: median ${median(f.bareNodeMs)} ms (runs: ${f.bareNodeMs.join(', ')})`);
  console.log(`  floor: the OpenAI SDK's first streamed call from a 4-line program, started the same way: median ${median(f.sdkFloorMs)} ms (runs: ${f.sdkFloorMs.join(', ')})`);
  console.log(`  djp's own start-up above that floor (argument parsing, config, the API schemas, store, run set-up): median ${median(f.firstCallMs) - median(f.sdkFloorMs)} ms`);
  console.log(`  CPU time of the CLI process at that moment (what machine load does not inflate): median ${median(f.firstCallCpuMs)} ms (runs: ${f.firstCallCpuMs.join(', ')})`);
  console.log(`  recorded latency of that call (server answers at once): median ${median(f.recordedLatencyMs)} ms (runs: ${f.recordedLatencyMs.join(', ')})`);
  console.log(`  whole command (start → exit): median ${median(f.totalMs)} ms`);
  return rows;
}

export async function run(): Promise<TargetRow[]> {
  return printCliStartFigures(await benchCliStart());
}

if (import.meta.url === `file://${process.argv[1]}`) {
  void run();
}
