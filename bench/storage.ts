// Storage benchmark: for the local backend and an S3-protocol backend (s3rver on 127.0.0.1), over a
// store of 10,000 runs seeded the way a store written before the history index looks (artifact +
// per-run index entry, no manifest, no change log), then:
//   1. upgrade case (once per store): 200 saves, then history's first page while the store's FIRST
//      compaction runs in the background (it reads every per-run entry once). Printed on its own line.
//   2. normal state (a compacted store: manifest + segments, a change log tail of COMPACT_AFTER - 1
//      changes, the most a query sees without starting a compaction): save p50/p90 (validate +
//      create-only artifact write + index entry + change-log entry + the manifest check), history's
//      first page (cold: a new store object on the same backend, nothing cached; then p50), a status
//      page, and a text search for a word present in ONE run of all, in process and over HTTP
//      (GET /api/runs?q=…, the server and service a user reaches).
// Targets: save p50 < 3 ms local; first page < 100 ms local, < 500 ms S3 (both cases). Prints
// figures; asserts nothing. Run alone: npx tsx bench/storage.ts [--runs 10000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RunArtifact } from '../shared/api/index.js';
import { BackendRunStore } from '../shared/artifacts/store.js';
import { COMPACT_AFTER, SETTLE_MS } from '../shared/artifacts/history/index.js';
import { artifactKey, indexKey } from '../shared/artifacts/layout.js';
import { toIndexEntry } from '../shared/artifacts/summary.js';
import { LocalBackend } from '../shared/storage/local.js';
import { S3Backend } from '../shared/storage/s3.js';
import type { StorageBackend } from '../shared/storage/backend.js';
import { startS3rver } from '../test/fakes/s3.js';
import { makeArtifact } from '../test/fakes/artifact.js';
import { startServer } from '../test/server/http-helpers.js';
import { createDjpService } from '../shared/service/index.js';
import { mulberry32 } from '../shared/djp/rng.js';
import { summaryRow, type TargetRow } from './summary.js';

/** History's first page on a store written before the history index, while its first compaction runs. */
export interface UpgradeFigures {
  coldMs: number;
  p50Ms: number;
  /** How many of the timed pages (cold one included) started while the compaction was running. */
  duringCompaction: number;
  pages: number;
  /** How long the first compaction took (from the first list to its end). */
  compactSeconds: number;
}

export interface StorageFigures {
  backend: string;
  runs: number;
  upgrade: UpgradeFigures;
  saveP50Ms: number;
  saveP90Ms: number;
  firstPageColdMs: number;
  firstPageP50Ms: number;
  statusPageP50Ms: number;
  searchPageP50Ms: number;
  /** The same search through the HTTP server (GET /api/runs?q=…&limit=20). */
  searchHttpP50Ms: number;
  seedSeconds: number;
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** The search word, in exactly one of the seeded runs (in the middle: a search reads past half the index). */
const RARE_WORD = 'rare-word';
const rareAt = (n: number) => Math.floor(n / 2);

/** Seeds `n` runs (artifact + index entry) with bounded parallelism; statuses/tasks vary. */
async function seed(backend: StorageBackend, n: number, concurrency: number): Promise<number> {
  const start = Date.now();
  const base = Date.parse('2025-01-01T00:00:00Z');
  const statuses = ['published', 'published', 'published', 'advisory_only', 'pending_approval'] as const;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      const a: RunArtifact = makeArtifact({ at: base + i * 60_000, status: statuses[i % statuses.length], task: `benchmark task ${i} ${i === rareAt(n) ? RARE_WORD : ''}` });
      await backend.write(artifactKey(a.id), `${JSON.stringify(a, null, 2)}\n`, { contentType: 'application/json' });
      await backend.write(indexKey(a), JSON.stringify(toIndexEntry(a)), { contentType: 'application/json' });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return (Date.now() - start) / 1000;
}

const UPGRADE_SAVES = 200;
const SAVES = 200;

async function measure(name: string, backend: StorageBackend, runs: number, concurrency: number): Promise<StorageFigures> {
  const seedSeconds = await seed(backend, runs, concurrency);
  const saved: string[] = [];
  const save = async (store: BackendRunStore, task: string): Promise<number> => {
    const a = makeArtifact({ task });
    const ms = await timeIt(() => store.save(a));
    saved.push(a.id);
    return ms;
  };

  // 1. Upgrade: the new version's first saves (change-log entries, no manifest yet), then history. The
  //    first list starts the first compaction; pages are listed from the per-run entries meanwhile.
  const upgraded = new BackendRunStore(backend);
  for (let i = 0; i < UPGRADE_SAVES; i++) await save(upgraded, `upgrade save ${i}`);
  const upgradeStart = performance.now();
  const upgradePages: number[] = [];
  let duringCompaction = 0;
  // The first page (it starts the compaction), then pages while it runs, at most 15 more: alternately
  // right after the previous one (a user paging on) and after a random pause of 0.2–1 s (someone
  // arriving at any moment of the compaction's work).
  const rand = mulberry32(11);
  for (let i = 0; i < 16 && (i === 0 || upgraded.history.compactionRunning); i++) {
    if (i % 2 === 0 && i > 0) await new Promise((r) => setTimeout(r, 200 + rand() * 800));
    upgradePages.push(await timeIt(() => upgraded.list({ limit: 20 })));
    if (upgraded.history.compactionRunning) duringCompaction++;
  }
  await upgraded.history.idle();
  const compactSeconds = (performance.now() - upgradeStart) / 1000;
  const [upgradeCold = NaN, ...upgradeWarm] = upgradePages;

  // 2. The normal state: a compacted store. Saves now also read the manifest (the writer's check).
  const store = new BackendRunStore(backend);
  const saves: number[] = [];
  for (let i = 0; i < SAVES; i++) saves.push(await save(store, `save ${i}`));
  // Fold them the way the background does (changes settle for SETTLE_MS first), then leave the longest
  // tail a query reads without starting a compaction.
  await new Promise((r) => setTimeout(r, SETTLE_MS + 200));
  const folded = await store.history.compact();
  if (!folded?.committed) throw new Error(`${name}: the compaction after the saves did not commit`);
  for (let i = 0; i < COMPACT_AFTER - 1; i++) await save(store, `tail ${i}`);

  // A new store object on the same backend: nothing cached (a fresh replica / process).
  const cold = new BackendRunStore(backend);
  const firstPageColdMs = await timeIt(() => cold.list({ limit: 20 }));
  const pages: number[] = [];
  const statusPages: number[] = [];
  const searchPages: number[] = [];
  for (let i = 0; i < 15; i++) {
    pages.push(await timeIt(() => cold.list({ limit: 20 })));
    statusPages.push(await timeIt(() => cold.list({ limit: 20, status: 'advisory_only' })));
  }
  for (let i = 0; i < 3; i++) {
    const ms = await timeIt(async () => {
      const page = await cold.list({ limit: 20, q: RARE_WORD.toUpperCase() });
      if (page.runs.length !== 1) throw new Error(`${name}: search found ${page.runs.length} runs, expected 1`);
    });
    searchPages.push(ms);
  }
  // The same search as a user makes it: over HTTP, through the server and the service.
  const service = createDjpService({ store: cold, env: {}, surface: 'server' });
  const http = await startServer(service);
  const searchHttp: number[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      searchHttp.push(
        await timeIt(async () => {
          const res = await fetch(`${http.base}/api/runs?q=${RARE_WORD}&limit=20`);
          const body = (await res.json()) as { runs?: unknown[] };
          if (res.status !== 200 || body.runs?.length !== 1) throw new Error(`${name}: GET /api/runs?q= answered ${res.status} with ${body.runs?.length} runs, expected 1`);
        }),
      );
    }
  } finally {
    await http.close();
  }
  // The figures only count if the page is right: the 20 newest runs, newest first.
  const check = (await cold.list({ limit: 20 })).runs.map((r) => r.id);
  if (check.join() !== saved.slice(-20).reverse().join()) throw new Error(`${name}: first page is not the 20 newest runs`);
  const compacted = await cold.history.query({ limit: 1, before: null, status: null, provider: null, needle: null, fromMs: null, toMs: null });
  if (!compacted) throw new Error(`${name}: no manifest after the first compaction`);
  return {
    backend: name,
    runs: runs + saved.length,
    upgrade: { coldMs: upgradeCold, p50Ms: upgradeWarm.length ? pct(upgradeWarm, 50) : NaN, duringCompaction, pages: upgradePages.length, compactSeconds },
    saveP50Ms: pct(saves, 50),
    saveP90Ms: pct(saves, 90),
    firstPageColdMs,
    firstPageP50Ms: pct(pages, 50),
    statusPageP50Ms: pct(statusPages, 50),
    searchPageP50Ms: pct(searchPages, 50),
    searchHttpP50Ms: pct(searchHttp, 50),
    seedSeconds,
  };
}

export async function benchStorage(opts: { runs?: number } = {}): Promise<StorageFigures[]> {
  const runs = opts.runs ?? 10_000;
  const out: StorageFigures[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'djp-bench-local-'));
  try {
    out.push(await measure('local', new LocalBackend(dir), runs, 16));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const s3 = await startS3rver({ buckets: ['djp-bench'] });
  const backend = new S3Backend({ bucket: 'djp-bench', prefix: 'runs', env: s3.env });
  try {
    out.push(await measure('s3 (s3rver, 127.0.0.1)', backend, runs, 32));
  } finally {
    await backend.close();
    await s3.stop();
  }
  return out;
}

export function printStorageFigures(figs: StorageFigures[]): TargetRow[] {
  const f = (x: number): string => x.toFixed(1);
  console.log('\nstorage — run store over each backend, normal state: a compacted store (search: a word in 1 run of all)');
  console.log('backend                   runs   save p50  save p90  1st page cold  1st page p50  status p50  search p50  search HTTP p50  (seed s)');
  for (const x of figs) {
    console.log(
      `${x.backend.padEnd(24)} ${String(x.runs).padStart(6)} ${f(x.saveP50Ms).padStart(8)}ms ${f(x.saveP90Ms).padStart(7)}ms ${f(x.firstPageColdMs).padStart(12)}ms ${f(x.firstPageP50Ms).padStart(11)}ms ${f(x.statusPageP50Ms).padStart(9)}ms ${f(x.searchPageP50Ms).padStart(9)}ms ${f(x.searchHttpP50Ms).padStart(14)}ms  (${x.seedSeconds.toFixed(0)})`,
    );
  }
  console.log('upgrade case, once per store: a store written before the history index (no manifest), first page while its first compaction runs (pages back to back and after random pauses, alternately)');
  for (const x of figs) {
    const u = x.upgrade;
    console.log(
      `${x.backend.padEnd(24)} 1st page cold ${f(u.coldMs)} ms, p50 ${u.pages > 1 ? `${f(u.p50Ms)} ms` : '— (compaction ended first)'}; ${u.duringCompaction} of ${u.pages} pages during the compaction, which took ${u.compactSeconds.toFixed(1)} s`,
    );
  }
  console.log('targets: save p50 < 3 ms local; first page < 100 ms local, < 500 ms S3 (normal state and upgrade case)');
  const rows: TargetRow[] = [];
  for (const x of figs) {
    const local = x.backend === 'local';
    if (local) rows.push(summaryRow('storage', `save p50, ${x.backend}`, `${f(x.saveP50Ms)} ms`, '< 3 ms', x.saveP50Ms < 3));
    const limit = local ? 100 : 500;
    rows.push(summaryRow('storage', `first page p50, ${x.backend}, ${x.runs} runs`, `${f(x.firstPageP50Ms)} ms`, `< ${limit} ms`, x.firstPageP50Ms < limit));
    // The upgrade figure: the pages listed during the first compaction (the cold one when it was alone).
    const u = x.upgrade;
    const upgradeMs = u.pages > 1 ? u.p50Ms : u.coldMs;
    rows.push(summaryRow('storage', `first page p50, upgrade (first compaction running, ${u.duringCompaction}/${u.pages} pages during it), ${x.backend}`, `${f(upgradeMs)} ms`, `< ${limit} ms`, upgradeMs < limit));
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const i = process.argv.indexOf('--runs');
  const runs = i > 0 ? Number(process.argv[i + 1]) : undefined;
  printStorageFigures(await benchStorage(runs ? { runs } : {}));
}
