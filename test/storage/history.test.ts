// The history index (shared/artifacts/history): segments + change log, compacted by any replica.
// 1. The whole RunStore contract again, with a compaction before every list (so every page is read
//    from segments and the log), on the local folder, s3rver and Ceph RGW.
// 2. What the index must get right: status changes and deletes after compaction, cursor paging over
//    segments + log + filters equal to a plain scan of the per-run entries, split segments, a corrupt
//    segment (skipped, served from the per-run entries, rewritten), requests per query, and two
//    compactors racing on RGW (compare-and-swap on the manifest: one commits, nothing lost).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListRunsQuery, RunArtifact } from '../../shared/api/index.js';
import { BackendRunStore, type BackendRunStoreOptions } from '../../shared/artifacts/store.js';
import { MANIFEST_KEY, SETTLE_MS, SEGMENT_PREFIX, LOG_PREFIX } from '../../shared/artifacts/history/index.js';
import { parseManifest } from '../../shared/artifacts/history/format.js';
import type { StorageBackend } from '../../shared/storage/backend.js';
import { LocalBackend } from '../../shared/storage/local.js';
import { S3Backend } from '../../shared/storage/s3.js';
import { makeArtifact } from '../fakes/artifact.js';
import { CountingBackend as Counting } from '../fakes/counting-backend.js';
import { startS3rver, type S3rverHandle } from '../fakes/s3.js';
import { sharedRgw, type SharedRgw } from '../fakes/rgw-shared.js';
import { runStoreContract } from './run-store-contract.js';

/** Every list() first folds the whole change log into segments (so the page comes from them). */
class CompactingStore extends BackendRunStore {
  override async list(q: ListRunsQuery) {
    await this.history.compact({ now: Date.now() + SETTLE_MS + 1000 });
    return super.list(q);
  }
}

let s3: S3rverHandle;
let rgw: SharedRgw;
const closers: Array<() => Promise<void>> = [];
let n = 0;
const run = `hist-${process.pid}-${Date.now()}`;
beforeAll(async () => {
  [s3, rgw] = await Promise.all([startS3rver(), sharedRgw()]);
}, 180_000);
afterAll(async () => {
  await Promise.all(closers.map((c) => c()));
  await s3?.stop();
});

const localRoot = mkdtempSync(path.join(tmpdir(), 'djp-hist-'));
const makers: Record<string, () => StorageBackend> = {
  local: () => new LocalBackend(path.join(localRoot, `t${++n}`), { fsync: false }),
  's3 (s3rver)': () => {
    const b = new S3Backend({ bucket: s3.bucket, prefix: `${run}/t${++n}`, env: s3.env });
    closers.push(() => b.close());
    return b;
  },
  's3 (Ceph RGW)': () => {
    const b = new S3Backend({ bucket: rgw.bucket, prefix: `${run}/t${++n}`, env: rgw.env });
    closers.push(() => b.close());
    return b;
  },
};

for (const [name, make] of Object.entries(makers)) {
  runStoreContract(`${name}, listed from history segments`, async (opts) => {
    const backend = make();
    return { backend, store: new CompactingStore(backend, opts), ignoresConditionals: name.includes('s3rver') };
  });
}

const T0 = Date.parse('2026-05-01T00:00:00Z');
const future = () => Date.now() + SETTLE_MS + 1000;
const small: BackendRunStoreOptions = { history: { segmentMax: 40, segmentSplit: 16, compactAfter: 1_000_000 } };

async function allPages(store: BackendRunStore, q: ListRunsQuery): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 200; i++) {
    const page = await store.list({ ...q, ...(cursor ? { cursor } : {}) });
    out.push(...page.runs.map((r) => r.id));
    if (!page.next_cursor) return out;
    cursor = page.next_cursor;
  }
  throw new Error('too many pages');
}

async function manifestOf(backend: StorageBackend) {
  return parseManifest(await backend.read(MANIFEST_KEY));
}

function pending(at: number, task: string): RunArtifact {
  return makeArtifact({ at, task, status: 'pending_approval', approval: { required: true, state: 'pending', decided_by: null, decided_at: null, reason: null } });
}

for (const [name, make] of Object.entries(makers)) {
  describe(`history index on ${name}`, () => {
    it('pages, filters and search over split segments + the change log agree with a plain scan; changes and deletes show at once', async () => {
      const backend = make();
      const store = new BackendRunStore(backend, small);
      const plain = new BackendRunStore(backend, { history: false });
      const providers = [['openai'], ['anthropic', 'google'], ['offline']] as const;
      const runs = Array.from({ length: 130 }, (_, i) =>
        i % 10 === 4
          ? pending(T0 + i * 60_000, `Pending review ${i}`)
          : makeArtifact({ at: T0 + i * 60_000, status: i % 3 === 0 ? 'advisory_only' : 'published', providers: [...providers[i % 3]!], task: `${i % 2 ? 'Odd' : 'Even'} task number ${i}${i === 77 ? ' with a Xylophonic word' : ''}` }),
      );
      for (const r of runs.slice(0, 100)) await store.save(r);
      expect((await store.history.compact({ now: future() }))?.committed).toBe(true);
      const m = await manifestOf(backend);
      expect(m?.segments.length).toBeGreaterThanOrEqual(5); // 100 rows in parts of 16–40
      expect(m?.segments.reduce((k, s) => k + s.count, 0)).toBe(100);
      // 30 more runs only in the change log; one old run approved, one rejected, one deleted.
      for (const r of runs.slice(100)) await store.save(r);
      await store.modify(runs[4]!.id, (a) => ({ ...a, status: 'published', publish: { ...a.publish, status: 'published' }, approval: { ...a.approval, state: 'approved', decided_by: 'ann', decided_at: new Date().toISOString() } }));
      await store.modify(runs[14]!.id, (a) => ({ ...a, status: 'advisory_only', publish: { ...a.publish, status: 'advisory_only' }, approval: { ...a.approval, state: 'rejected', decided_by: 'bob', decided_at: new Date().toISOString(), reason: 'no' } }));
      await store.delete(runs[50]!.id);
      const queries: ListRunsQuery[] = [
        { limit: 7 },
        { limit: 7, status: 'pending_approval' },
        { limit: 5, status: 'advisory_only' },
        { limit: 9, provider: 'google' },
        { limit: 6, q: 'ODD TASK' },
        { limit: 3, q: 'xylophonic' },
        { limit: 4, from: new Date(T0 + 20 * 60_000).toISOString(), to: new Date(T0 + 110 * 60_000).toISOString() },
        { limit: 8, status: 'published', provider: 'openai', q: 'task' },
      ];
      const check = async () => {
        for (const q of queries) expect(await allPages(store, q), JSON.stringify(q)).toEqual(await allPages(plain, q));
      };
      await check();
      const ids = await allPages(store, { limit: 100 });
      expect(ids).toHaveLength(129);
      expect(ids).not.toContain(runs[50]!.id);
      expect(await allPages(store, { limit: 50, status: 'pending_approval' })).not.toContain(runs[4]!.id);
      expect(await allPages(store, { limit: 50, q: 'xylophonic' })).toEqual([runs[77]!.id]);
      // The same after the next compaction folds those changes into the segments.
      expect((await store.history.compact({ now: future() }))?.committed).toBe(true);
      await check();
      expect((await store.list({ limit: 100 })).runs).toHaveLength(100);
      // A second store (another replica, cold cache) sees the same.
      const other = new BackendRunStore(backend, small);
      for (const q of queries) expect(await allPages(other, q)).toEqual(await allPages(plain, q));
    }, 240_000);

    it('a status filter with no match reads no segment; the first page reads one; a corrupt segment is skipped, served from the per-run entries, then rewritten', async () => {
      const counting = new Counting(make());
      const store = new BackendRunStore(counting, small);
      const runs = Array.from({ length: 90 }, (_, i) => makeArtifact({ at: T0 + i * 1000, task: `run ${i}` }));
      for (const r of runs) await store.save(r);
      await store.history.compact({ now: future() });
      const cold = new BackendRunStore(counting, small);
      counting.reset();
      expect((await cold.list({ status: 'pending_approval' })).runs).toEqual([]);
      expect(counting.readKeys.filter((k) => k.startsWith(SEGMENT_PREFIX))).toEqual([]);
      expect(counting.lists).toBe(1); // the change log after the watermark
      counting.reset();
      expect((await cold.list({ limit: 5 })).runs.map((r) => r.id)).toEqual(runs.slice(-5).map((r) => r.id).reverse());
      expect(counting.readKeys.filter((k) => k.startsWith(SEGMENT_PREFIX))).toHaveLength(1);
      // Warm: the manifest, the change log's LIST and (first page only) the live records' LIST.
      counting.reset();
      await cold.list({ limit: 5 });
      expect({ reads: counting.reads, lists: counting.lists }).toEqual({ reads: 1, lists: 2 });

      const m = (await manifestOf(counting))!;
      const victim = m.segments[1]!;
      await counting.write(victim.key, '{"v":1,"rows":[{"id":"torn');
      const fresh = new BackendRunStore(counting, small);
      expect(await allPages(fresh, { limit: 25 })).toEqual(runs.map((r) => r.id).reverse());
      // That query started a background compaction, which rewrites the segment from the per-run entries.
      await fresh.history.idle();
      const after = (await manifestOf(counting))!;
      expect(after.seq).toBe(m.seq + 1);
      expect(after.segments.map((s) => s.key)).not.toContain(victim.key);
      expect(await allPages(new BackendRunStore(counting, small), { limit: 25 })).toEqual(runs.map((r) => r.id).reverse());
    }, 120_000);

    it('a deleted or unreadable manifest falls back to the per-run entries; compaction then starts over from them', async () => {
      const backend = make();
      const store = new BackendRunStore(backend, small);
      const runs = Array.from({ length: 12 }, (_, i) => makeArtifact({ at: T0 + i * 1000 }));
      for (const r of runs) await store.save(r);
      await store.history.compact({ now: future() });
      await backend.write(MANIFEST_KEY, 'not json');
      expect(await allPages(new BackendRunStore(backend, small), { limit: 5 })).toEqual(runs.map((r) => r.id).reverse());
      expect((await store.history.compact({ now: future() }))?.committed).toBe(true);
      expect((await manifestOf(backend))?.segments.reduce((k, s) => k + s.count, 0)).toBe(12);
    });
  });
}

describe('two compactors on one Ceph RGW bucket', () => {
  it('race from the same manifest: exactly one commits each round, the loser leaves no segment behind, no run is lost', async () => {
    const backend = makers['s3 (Ceph RGW)']!();
    const a = new BackendRunStore(backend, small);
    const b = new BackendRunStore(backend, small);
    const saved: string[] = [];
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 15; i++) {
        const r = makeArtifact({ at: T0 + (round * 15 + i) * 1000, task: `round ${round} run ${i}` });
        await (i % 2 ? a : b).save(r);
        saved.push(r.id);
      }
      const now = future();
      const results = await Promise.all([a.history.compact({ now }), b.history.compact({ now })]);
      expect(results.filter((r) => r?.committed)).toHaveLength(1);
      const m = (await manifestOf(backend))!;
      const segs: string[] = [];
      let token: string | null = null;
      do {
        const page = await backend.list({ prefix: SEGMENT_PREFIX, ...(token ? { pageToken: token } : {}) });
        segs.push(...page.keys);
        token = page.nextPageToken;
      } while (token);
      // Segments of earlier manifests wait out the grace period; none of the loser's is left.
      for (const k of m.segments.map((s) => s.key)) expect(segs).toContain(k);
      expect(m.segments.reduce((k, s) => k + s.count, 0)).toBe(saved.length);
      for (const store of [a, b, new BackendRunStore(backend, small)]) expect(await allPages(store, { limit: 40 })).toEqual([...saved].reverse());
    }
    // The change log still holds every change younger than the grace period; readers ignore those behind the watermark.
    expect((await backend.list({ prefix: LOG_PREFIX, limit: 1000 })).keys.length).toBeGreaterThanOrEqual(60);
  }, 120_000);
});
