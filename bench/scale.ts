// npm run bench -- scale: history listing and search at scale (issue 11 item 6), with the number of
// storage requests each query makes. Seeds N index entries (the part of the store history reads; the
// artifacts themselves are not read by any of these queries) into a local folder and an S3-protocol
// store (s3rver on loopback), then times: the first page, a status filter no run matches, and a
// rare-word text search (the word is in one run, in the middle). Targets at 100,000 runs: first page
// < 50 ms local and < 300 ms S3; no-match status filter and rare-word search < 500 ms on both.
// DJP_BENCH_SCALE_RUNS (default 100000) and DJP_BENCH_SCALE_S3_RUNS (default 10000: seeding s3rver is slow) size it; a
// target is only reported met when measured at 100,000 runs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BackendRunStore } from '../shared/artifacts/store.js';
import { indexKey } from '../shared/artifacts/layout.js';
import { toIndexEntry } from '../shared/artifacts/summary.js';
import type { ListOptions, ListPage, StorageBackend, VersionedObject } from '../shared/storage/backend.js';
import { LocalBackend } from '../shared/storage/local.js';
import { S3Backend } from '../shared/storage/s3.js';
import { makeArtifact } from '../test/fakes/artifact.js';
import { startS3rver } from '../test/fakes/s3.js';
import { summaryRow, type TargetRow } from './summary.js';

/** Counts the requests a query makes (LIST and GET separately). */
class Counting implements StorageBackend {
  lists = 0;
  reads = 0;
  constructor(private readonly inner: StorageBackend) {}
  get kind() {
    return this.inner.kind;
  }
  get location() {
    return this.inner.location;
  }
  uri(k: string) {
    return this.inner.uri(k);
  }
  write(k: string, d: Uint8Array | string, o?: { contentType?: string }) {
    return this.inner.write(k, d, o);
  }
  create(k: string, d: Uint8Array | string, o?: { contentType?: string }) {
    return this.inner.create(k, d, o);
  }
  read(k: string) {
    this.reads++;
    return this.inner.read(k);
  }
  readVersioned(k: string): Promise<VersionedObject> {
    this.reads++;
    return this.inner.readVersioned(k);
  }
  writeIfMatch(k: string, d: Uint8Array | string, v: string, o?: { contentType?: string }) {
    return this.inner.writeIfMatch(k, d, v, o);
  }
  exists(k: string) {
    return this.inner.exists(k);
  }
  delete(k: string) {
    return this.inner.delete(k);
  }
  list(o?: ListOptions): Promise<ListPage> {
    this.lists++;
    return this.inner.list(o);
  }
  ping() {
    return this.inner.ping();
  }
}

const RARE = 'xylophonic';

async function seed(backend: StorageBackend, n: number, concurrency: number): Promise<number> {
  const t = Date.now();
  const base = Date.parse('2025-01-01T00:00:00Z');
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const a = makeArtifact({ at: base + i * 1000, status: i % 4 === 3 ? 'advisory_only' : 'published', task: `scale task ${i}${i === Math.floor(n / 2) ? ` ${RARE}` : ''}` });
      await backend.write(indexKey(a), JSON.stringify(toIndexEntry(a)), { contentType: 'application/json' });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return (Date.now() - t) / 1000;
}

interface Figure {
  what: string;
  ms: number;
  lists: number;
  reads: number;
  found: number;
}

async function measure(counting: Counting): Promise<Figure[]> {
  const store = new BackendRunStore(counting);
  const out: Figure[] = [];
  const q = async (what: string, query: Parameters<BackendRunStore['list']>[0]) => {
    counting.lists = 0;
    counting.reads = 0;
    const t = performance.now();
    const page = await store.list(query);
    out.push({ what, ms: performance.now() - t, lists: counting.lists, reads: counting.reads, found: page.runs.length });
  };
  await q('first page (cold)', {});
  await q('first page', {});
  await q('status filter, no match', { status: 'pending_approval' });
  await q('rare-word search', { q: RARE });
  return out;
}

function print(name: string, runs: number, seedS: number, figs: Figure[]): void {
  console.log(`\nscale: ${name}, ${runs.toLocaleString('en')} runs (seeded in ${seedS.toFixed(0)} s)`);
  console.log('  query                       time        LIST   GET   runs found');
  for (const f of figs) console.log(`  ${f.what.padEnd(26)} ${f.ms.toFixed(1).padStart(9)} ms ${String(f.lists).padStart(6)} ${String(f.reads).padStart(6)}   ${f.found}`);
}

function rows(kind: 'local' | 's3', runs: number, figs: Figure[]): TargetRow[] {
  const at = `${kind}, ${runs.toLocaleString('en')} runs`;
  const get = (w: string) => figs.find((f) => f.what === w) as Figure;
  const page = kind === 'local' ? 50 : 300;
  return [
    summaryRow('scale', `first page (${at})`, `${get('first page').ms.toFixed(0)} ms`, `< ${page} ms at 100,000`, get('first page').ms < page && runs >= 100_000),
    summaryRow('scale', `no-match status filter (${at})`, `${get('status filter, no match').ms.toFixed(0)} ms`, '< 500 ms at 100,000', get('status filter, no match').ms < 500 && runs >= 100_000),
    summaryRow('scale', `rare-word search (${at})`, `${get('rare-word search').ms.toFixed(0)} ms`, '< 500 ms at 100,000', get('rare-word search').ms < 500 && runs >= 100_000),
  ];
}

export async function run(): Promise<TargetRow[]> {
  const n = Number(process.env.DJP_BENCH_SCALE_RUNS ?? 100_000);
  const nS3 = Number(process.env.DJP_BENCH_SCALE_S3_RUNS ?? 10_000); // seeding s3rver runs ~60 objects/s here
  const out: TargetRow[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'djp-bench-scale-'));
  try {
    const local = new Counting(new LocalBackend(dir, { fsync: false }));
    const seedS = await seed(local, n, 64);
    const figs = await measure(local);
    print('local folder', n, seedS, figs);
    out.push(...rows('local', n, figs));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const s3 = await startS3rver({ buckets: ['djp-scale'] });
  const backend = new S3Backend({ bucket: 'djp-scale', prefix: 'runs', env: s3.env });
  try {
    const counting = new Counting(backend);
    const seedS = await seed(counting, nS3, 32);
    const figs = await measure(counting);
    print('S3 protocol (s3rver, loopback)', nS3, seedS, figs);
    out.push(...rows('s3', nS3, figs));
  } finally {
    await backend.close();
    await s3.stop();
  }
  return out;
}
