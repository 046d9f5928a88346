// npm run bench -- scale: history listing and search at scale (issue 11 item 6), with the storage
// requests each query makes, through the real run store (BackendRunStore.list) and its history index
// (shared/artifacts/history: segments + change log).
//
// Seeding, per store:
//   local folder  N runs' per-run index entries written to disk, then the segments built by the
//                 compactor's rebuild path (what `djp sync --reindex` runs), then TAIL runs saved
//                 through store.save() (artifact + per-run entry + change-log entry) so that every
//                 query also merges the uncompacted change log.
//   S3 (s3rver)   the same segments (N rows, built by the same rebuild code) and the same TAIL saves;
//                 the N per-run entries and artifacts are NOT written (s3rver takes ~60 objects/s, so
//                 100,000 of them take ~30 min) — no measured query reads or lists them.
// Tasks are ~120 characters of varied words (rows of realistic size, not "task 1"); the rare word is
// in one run in the middle of the N. Each query is timed cold (a new store instance: empty cache) and
// warm (the same instance again). Targets at 100,000 runs: first page < 50 ms local and < 300 ms S3;
// no-match status filter and rare-word search < 500 ms on both — checked against the COLD figure.
// DJP_BENCH_SCALE_RUNS (default 100000) and DJP_BENCH_SCALE_S3_RUNS (default the same) size it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BackendRunStore } from '../shared/artifacts/store.js';
import { indexKey } from '../shared/artifacts/layout.js';
import { toIndexEntry } from '../shared/artifacts/summary.js';
import { COMPACT_AFTER, rowOf } from '../shared/artifacts/history/index.js';
import type { ListRunsQuery, RunArtifact } from '../shared/api/index.js';
import { LocalBackend } from '../shared/storage/local.js';
import { S3Backend } from '../shared/storage/s3.js';
import { makeArtifact } from '../test/fakes/artifact.js';
import { CountingBackend as Counting } from '../test/fakes/counting-backend.js';
import { startS3rver } from '../test/fakes/s3.js';
import { summaryRow, type TargetRow } from './summary.js';
import type { StorageBackend } from '../shared/storage/backend.js';

const RARE = 'xylophonic';
/**
 * The change log as long as it gets without a query starting a compaction (the worst case a reader
 * meets; one more change and the query would start one, which would run during the measurements).
 */
const TAIL = COMPACT_AFTER - 1;
const WORDS = ['quarterly', 'report', 'migration', 'postgres', 'latency', 'budget', 'incident', 'customer', 'release', 'roadmap', 'security', 'review', 'pricing', 'onboarding', 'churn', 'forecast'];
const BASE = Date.parse('2025-01-01T00:00:00Z');

function artifact(i: number, n: number): RunArtifact {
  const w = (k: number) => WORDS[(i * 7 + k * 3) % WORDS.length];
  const task = `Summarise the ${w(0)} ${w(1)} for team ${i % 97} and list the three biggest ${w(2)} risks with owners, dates and a ${w(3)} plan (run ${i})${i === Math.floor(n / 2) ? ` ${RARE}` : ''}`;
  return makeArtifact({ at: BASE + i * 1000, status: i % 4 === 3 ? 'advisory_only' : 'published', providers: i % 3 ? ['openai', 'anthropic'] : ['offline'], task });
}

/** The N runs' segments, built by the history index's rebuild path (the compactor's own code). */
async function seedSegments(backend: StorageBackend, n: number, perRunEntries: boolean): Promise<number> {
  const t = Date.now();
  const store = new BackendRunStore(backend);
  const rows = [];
  let next = 0;
  const arts: RunArtifact[] = [];
  for (let i = 0; i < n; i++) arts.push(artifact(i, n));
  if (perRunEntries) {
    const worker = async () => {
      while (next < n) {
        const a = arts[next++] as RunArtifact;
        await backend.write(indexKey(a), JSON.stringify(toIndexEntry(a)), { contentType: 'application/json' });
      }
    };
    await Promise.all(Array.from({ length: 64 }, worker));
  }
  for (const a of arts) rows.push(rowOf(toIndexEntry(a)));
  const r = await store.history.rebuild(rows, Date.now());
  if (!r?.committed) throw new Error('bench: the segments were not committed');
  // The uncompacted tail: runs saved the normal way after the last compaction.
  for (let i = 0; i < TAIL; i++) await store.save(artifact(n + i, n));
  return (Date.now() - t) / 1000;
}

interface Figure {
  what: string;
  ms: number;
  lists: number;
  reads: number;
  kb: number;
  found: number;
}

async function measure(counting: Counting): Promise<Figure[]> {
  const out: Figure[] = [];
  const q = async (store: BackendRunStore, what: string, query: ListRunsQuery) => {
    counting.reset();
    const t = performance.now();
    const page = await store.list(query);
    out.push({ what, ms: performance.now() - t, lists: counting.lists, reads: counting.reads, kb: counting.bytes / 1024, found: page.runs.length });
  };
  const queries: Array<[string, ListRunsQuery]> = [
    ['first page', {}],
    ['status filter, no match', { status: 'pending_approval' }],
    ['rare-word search', { q: RARE }],
    ['provider filter', { provider: 'offline' }],
  ];
  for (const [what, query] of queries) {
    const store = new BackendRunStore(counting); // a fresh instance: nothing cached
    await q(store, `${what} (cold)`, query);
    await q(store, `${what} (warm)`, query);
  }
  return out;
}

function print(name: string, runs: number, seedS: number, how: string, figs: Figure[]): void {
  console.log(`\nscale: ${name}, ${runs.toLocaleString('en')} runs + ${TAIL} in the change log (seeded in ${seedS.toFixed(0)} s)`);
  console.log(`  ${how}`);
  console.log('  query                               time    LIST    GET    KB read   runs found');
  for (const f of figs) console.log(`  ${f.what.padEnd(30)} ${f.ms.toFixed(1).padStart(8)} ms ${String(f.lists).padStart(5)} ${String(f.reads).padStart(6)} ${f.kb.toFixed(0).padStart(9)}   ${f.found}`);
}

function rows(kind: 'local' | 's3', runs: number, figs: Figure[]): TargetRow[] {
  const at = `${kind}, ${runs.toLocaleString('en')} runs, cold`;
  const get = (w: string) => figs.find((f) => f.what === `${w} (cold)`) as Figure;
  const page = kind === 'local' ? 50 : 300;
  const row = (w: string, label: string, limit: number) =>
    summaryRow('scale', `${label} (${at})`, `${get(w).ms.toFixed(0)} ms, ${get(w).lists} LIST + ${get(w).reads} GET`, `< ${limit} ms at 100,000`, get(w).ms < limit && runs >= 100_000);
  return [row('first page', 'first page', page), row('status filter, no match', 'no-match status filter', 500), row('rare-word search', 'rare-word search', 500)];
}

export async function run(): Promise<TargetRow[]> {
  const n = Number(process.env.DJP_BENCH_SCALE_RUNS ?? 100_000);
  const nS3 = Number(process.env.DJP_BENCH_SCALE_S3_RUNS ?? n);
  const out: TargetRow[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'djp-bench-scale-'));
  try {
    const local = new Counting(new LocalBackend(dir, { fsync: false }));
    const seedS = await seedSegments(local, n, true);
    const figs = await measure(local);
    print('local folder', n, seedS, `${n.toLocaleString('en')} per-run entries on disk + segments from the rebuild path; ${TAIL} runs saved through the store after it`, figs);
    out.push(...rows('local', n, figs));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const s3 = await startS3rver({ buckets: ['djp-scale'] });
  const backend = new S3Backend({ bucket: 'djp-scale', prefix: 'runs', env: s3.env });
  try {
    const counting = new Counting(backend);
    const seedS = await seedSegments(counting, nS3, false);
    const figs = await measure(counting);
    print('S3 protocol (s3rver, loopback)', nS3, seedS, `segments for ${nS3.toLocaleString('en')} runs written by the rebuild path (their per-run entries and artifacts are not seeded: no query reads them); ${TAIL} runs saved through the store`, figs);
    out.push(...rows('s3', nS3, figs));
  } finally {
    await backend.close();
    await s3.stop();
  }
  return out;
}
