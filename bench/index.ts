// npm run bench [-- name …]: runs each registered benchmark and prints its figures (no assertions).
// Register a bench module by adding one entry to BENCHES.
import { printSummary, type TargetRow } from './summary.js';

export interface BenchEntry {
  name: string;
  /** Prints its figures; returns one row per target it checks (for the closing summary table). */
  run: () => Promise<TargetRow[] | void>;
}

export const BENCHES: BenchEntry[] = [
  { name: 'pipeline', run: async () => (await import('./pipeline.js')).run() },
  {
    name: 'storage',
    run: async () => {
      const m = await import('./storage.js');
      return m.printStorageFigures(await m.benchStorage());
    },
  },
  { name: 'renderer', run: async () => (await import('./renderer.js')).run() },
  { name: 'stream-latency', run: async () => (await import('./stream-latency.js')).run() },
  { name: 'server', run: async () => (await import('./server.js')).run() },
  { name: 'guardrails', run: async () => (await import('./guardrails.js')).run() },
  { name: 'judge', run: async () => (await import('./judge.js')).run() },
  { name: 'cli', run: async () => (await import('./cli-start.js')).run() },
  { name: 'install', run: async () => (await import('./install-size.js')).run() },
  { name: 'batch', run: async () => (await import('./batch.js')).run() },
  { name: 'electron', run: async () => (await import('./electron-security.js')).run() },
  { name: 'scale', run: async () => (await import('./scale.js')).run() },
  { name: 'finished-runs', run: async () => (await import('./finished-runs.js')).run([]) },
];

async function main(): Promise<void> {
  const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const unknown = only.filter((n) => !BENCHES.some((b) => b.name === n));
  if (unknown.length) {
    process.stderr.write(`bench: unknown benchmark(s) ${unknown.join(', ')}; known: ${BENCHES.map((b) => b.name).join(', ')}\n`);
    process.exit(2);
  }
  let failed = 0;
  const rows: TargetRow[] = [];
  for (const b of BENCHES) {
    if (only.length && !only.includes(b.name)) continue;
    const t = performance.now();
    try {
      rows.push(...((await b.run()) ?? []));
      console.log(`(${b.name}: ${((performance.now() - t) / 1000).toFixed(1)} s)`);
    } catch (e) {
      failed++;
      console.error(`bench ${b.name} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  printSummary(rows);
  process.exit(failed ? 1 : 0);
}

await main();
