// `djp sync --reindex` rebuilds every index from the artifacts: delete .index/, .history/ and
// .threads/ entirely, reindex, and history (every filter, every page) and threads (list and view) are
// what they were. On the local folder through the command's logic (runSync) and on Ceph RGW.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListRunsQuery, RunArtifact } from '../../shared/api/index.js';
import { BackendRunStore } from '../../shared/artifacts/store.js';
import { SETTLE_MS } from '../../shared/artifacts/history/index.js';
import { ThreadStore } from '../../shared/threads/store.js';
import type { StorageBackend } from '../../shared/storage/backend.js';
import { LocalBackend } from '../../shared/storage/local.js';
import { S3Backend } from '../../shared/storage/s3.js';
import { runSync } from '../../server/commands/sync.js';
import { makeArtifact } from '../fakes/artifact.js';
import { sharedRgw, type SharedRgw } from '../fakes/rgw-shared.js';

let rgw: SharedRgw;
const closers: Array<() => Promise<void>> = [];
beforeAll(async () => {
  rgw = await sharedRgw();
}, 180_000);
afterAll(async () => {
  await Promise.all(closers.map((c) => c()));
});

const T0 = Date.parse('2026-06-01T00:00:00Z');
const small = { history: { segmentMax: 12, segmentSplit: 5, compactAfter: 1_000_000 } };

async function allPages(store: BackendRunStore, q: ListRunsQuery): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 100; i++) {
    const page = await store.list({ ...q, ...(cursor ? { cursor } : {}) });
    out.push(...page.runs.map((r) => JSON.stringify(r)));
    if (!page.next_cursor) return out;
    cursor = page.next_cursor;
  }
  throw new Error('too many pages');
}

async function wipe(backend: StorageBackend, prefix: string): Promise<number> {
  let n = 0;
  for (;;) {
    const page = await backend.list({ prefix, limit: 1000 });
    if (page.keys.length === 0) return n;
    for (const k of page.keys) await backend.delete(k);
    n += page.keys.length;
  }
}

/** 30 runs: statuses, providers, a decision, a deletion, and two threads (one with a branch). */
async function populate(store: BackendRunStore): Promise<{ root: RunArtifact; other: RunArtifact }> {
  const threads = new ThreadStore(store.backend);
  const runs: RunArtifact[] = [];
  for (let i = 0; i < 26; i++) {
    const a = makeArtifact({
      at: T0 + i * 60_000,
      task: `Run ${i}: ${i % 2 ? 'compare postgres and mysql' : 'draft a release note'}`,
      status: i % 5 === 0 ? 'pending_approval' : i % 3 === 0 ? 'advisory_only' : 'published',
      providers: i % 2 ? ['openai', 'anthropic'] : ['offline'],
      ...(i % 5 === 0 ? { approval: { required: true, state: 'pending' as const, decided_by: null, decided_at: null, reason: null } } : {}),
    });
    await store.save(a);
    runs.push(a);
  }
  await store.history.compact({ now: Date.now() + SETTLE_MS + 1000 });
  await store.modify(runs[5]!.id, (a) => ({ ...a, status: 'published', publish: { ...a.publish, status: 'published' }, approval: { ...a.approval, state: 'approved', decided_by: 'ann', decided_at: new Date().toISOString() } }));
  await store.delete(runs[7]!.id);
  // Threads the way the service records them: each follow-up with the run it follows.
  const root = runs[20]!;
  const turn = (parent: RunArtifact, i: number, rootId: string, n: number) =>
    makeArtifact({ at: T0 + (30 + i) * 60_000, task: `follow-up ${i} of ${parent.id}`, thread: { id: rootId, parent_id: parent.id, turn: n, context: null } });
  const t2 = turn(root, 1, root.id, 2);
  const t3 = turn(t2, 2, root.id, 3);
  const b2 = turn(root, 3, root.id, 2); // a branch from the root
  const other = runs[22]!;
  const o2 = turn(other, 4, other.id, 2);
  for (const [parent, child] of [[root, t2], [t2, t3], [root, b2], [other, o2]] as const) {
    await store.save(child);
    await threads.record([parent, child]);
  }
  return { root, other };
}

const queries: ListRunsQuery[] = [{ limit: 7 }, { limit: 4, status: 'pending_approval' }, { limit: 5, status: 'published' }, { limit: 6, provider: 'anthropic' }, { limit: 3, q: 'POSTGRES' }, { limit: 4, q: 'follow-up' }, { limit: 5, from: new Date(T0 + 10 * 60_000).toISOString(), to: new Date(T0 + 40 * 60_000).toISOString() }];

async function snapshot(backend: StorageBackend, root: RunArtifact, other: RunArtifact) {
  const store = new BackendRunStore(backend, small);
  const threads = new ThreadStore(backend);
  const history: string[][] = [];
  for (const q of queries) history.push(await allPages(store, q));
  return { history, threads: await threads.list({ limit: 50 }), root: await threads.view(root.id), other: await threads.view(other.id) };
}

const kinds: Record<string, { make: () => StorageBackend; reindex: (backend: StorageBackend) => Promise<void> }> = {
  local: {
    make: () => new LocalBackend(mkdtempSync(path.join(tmpdir(), 'djp-reindex-'))),
    reindex: async (backend) => {
      let out = '';
      const io = { out: (t: string) => void (out += t), err: () => undefined };
      expect(await runSync({ runsDir: backend.location, reindex: true, quiet: true }, {}, io)).toBe(0);
      expect(out).toMatch(/history .*: 29 run\(s\) in \d+ segment\(s\); threads: 2 thread\(s\), 6 entries/);
    },
  },
  's3 (Ceph RGW)': {
    make: () => {
      const b = new S3Backend({ bucket: rgw.bucket, prefix: `reindex-${process.pid}-${Date.now()}`, env: rgw.env });
      closers.push(() => b.close());
      return b;
    },
    reindex: async (backend) => {
      const r = await new BackendRunStore(backend, small).reindexAll();
      expect(r).toMatchObject({ indexed: 29, skipped: 0, rows: 29, threads: 2, thread_entries: 6 });
    },
  },
};

for (const [name, { make, reindex }] of Object.entries(kinds)) {
  describe(`reindex on ${name}`, () => {
    it('deleting .index/, .history/ and .threads/ then reindexing gives the same history and threads', async () => {
      const backend = make();
      const store = new BackendRunStore(backend, small);
      const { root, other } = await populate(store);
      const before = await snapshot(backend, root, other);
      expect(before.history[0]).toHaveLength(29);
      expect(before.root.branches).toHaveLength(2);
      for (const prefix of ['.index/', '.history/', '.threads/']) expect(await wipe(backend, prefix)).toBeGreaterThan(0);
      expect((await new BackendRunStore(backend, small).list({})).runs).toEqual([]);
      await reindex(backend);
      expect(await snapshot(backend, root, other)).toEqual(before);
      // A second reindex finds nothing missing and changes nothing.
      expect(await new BackendRunStore(backend, small).reindex()).toEqual({ indexed: 0, skipped: 0 });
      expect(await snapshot(backend, root, other)).toEqual(before);
    }, 180_000);
  });
}
