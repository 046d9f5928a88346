// What a save writes, and history on a store written before the history index (no manifest: the
// one-time upgrade), on a local folder:
// - a save whose create-only artifact write fails writes neither its index entry nor a change-log
//   entry; a save that succeeds writes both (they are written at the same time, after the artifact);
// - a query on a store without a manifest lists from the per-run entries and reads no change-log
//   entry; the count that starts the first compaction runs after it, in the background;
// - while a query is served, the compaction (which reads every per-run entry once) sends no request:
//   the page does not queue behind it. The compaction still completes with every run.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BackendRunStore } from '../../shared/artifacts/store.js';
import { LOG_PREFIX, MANIFEST_KEY } from '../../shared/artifacts/history/index.js';
import { parseManifest } from '../../shared/artifacts/history/format.js';
import { INDEX_PREFIX, artifactKey, indexKey } from '../../shared/artifacts/layout.js';
import { serialize } from '../../shared/artifacts/store-common.js';
import { toIndexEntry } from '../../shared/artifacts/summary.js';
import { StorageError, type VersionedObject } from '../../shared/storage/backend.js';
import { LocalBackend } from '../../shared/storage/local.js';
import { makeArtifact } from '../fakes/artifact.js';
import { CountingBackend } from '../fakes/counting-backend.js';

const root = mkdtempSync(path.join(tmpdir(), 'djp-hist-upgrade-'));
let n = 0;
const local = () => new LocalBackend(path.join(root, `t${++n}`), { fsync: false });
const T0 = Date.parse('2026-03-01T00:00:00Z');

async function keys(backend: LocalBackend | CountingBackend, prefix: string): Promise<string[]> {
  return (await backend.list({ prefix, limit: 10_000 })).keys;
}

/** A store as an older version left it: artifacts and per-run entries, no manifest, no change log. */
async function seedPreIndex(backend: LocalBackend | CountingBackend, count: number) {
  const runs = Array.from({ length: count }, (_, i) => makeArtifact({ at: T0 + i * 1000, task: `old run ${i}` }));
  for (const a of runs) {
    await backend.write(artifactKey(a.id), serialize(a));
    await backend.write(indexKey(a), JSON.stringify(toIndexEntry(a)));
  }
  return runs;
}

describe('save: the index entry and the change-log entry follow the artifact', () => {
  it('a failed create-only artifact write writes neither; a conflicting save neither; a save writes both', async () => {
    class FailingCreate extends LocalBackend {
      failCreate = true;
      override async create(key: string, data: Uint8Array | string): Promise<void> {
        if (this.failCreate) throw new StorageError('unavailable', `injected: create ${key} failed`);
        return super.create(key, data);
      }
    }
    const backend = new FailingCreate(path.join(root, `t${++n}`), { fsync: false });
    const store = new BackendRunStore(backend);
    const a = makeArtifact({ task: 'first' });
    await expect(store.save(a)).rejects.toMatchObject({ code: 'unavailable' });
    expect(await keys(backend, INDEX_PREFIX)).toEqual([]);
    expect(await keys(backend, LOG_PREFIX)).toEqual([]);

    backend.failCreate = false;
    await store.save(a);
    expect(await keys(backend, INDEX_PREFIX)).toEqual([indexKey(a)]);
    expect(await keys(backend, LOG_PREFIX)).toHaveLength(1);
    // The same id with other content: a conflict, and nothing more is logged or indexed.
    await expect(store.save({ ...a, task: 'other content' })).rejects.toMatchObject({ code: 'conflict' });
    expect(await keys(backend, INDEX_PREFIX)).toEqual([indexKey(a)]);
    expect(await keys(backend, LOG_PREFIX)).toHaveLength(1);
    expect((await store.list({ limit: 5 })).runs.map((r) => [r.id, r.task])).toEqual([[a.id, 'first']]);
  });
});

describe('history on a store without a manifest (the upgrade)', () => {
  it('lists from the per-run entries without reading the change log; the first compaction starts after the page', async () => {
    const counting = new CountingBackend(local());
    const old = await seedPreIndex(counting, 30);
    const writer = new BackendRunStore(counting, { history: { compactAfter: 20 } });
    const saved = Array.from({ length: 25 }, (_, i) => makeArtifact({ at: T0 + (100 + i) * 1000, task: `new run ${i}` }));
    for (const a of saved) await writer.save(a);

    const reader = new BackendRunStore(counting, { history: { compactAfter: 20 } }); // another process: nothing cached
    counting.reset();
    const page = await reader.list({ limit: 5 });
    const readDuringPage = [...counting.readKeys];
    expect(page.runs.map((r) => r.id)).toEqual(saved.slice(-5).map((a) => a.id).reverse());
    expect(readDuringPage.filter((k) => k.startsWith(LOG_PREFIX))).toEqual([]);
    expect(readDuringPage.filter((k) => k.startsWith(INDEX_PREFIX))).toHaveLength(5);

    // 25 changes ≥ compactAfter: the background count started the first compaction, from every entry.
    await reader.history.idle();
    const manifest = parseManifest(await counting.read(MANIFEST_KEY));
    expect(manifest?.segments.reduce((k, s) => k + s.count, 0)).toBe(old.length + saved.length);
  });

  it('a compaction sends no request while a query is being served, and still completes with every run', async () => {
    /** Slow reads (a remote store) that record, for each read, whether a query was being listed. */
    class SlowReads extends CountingBackend {
      listing = false;
      /** Set once the query's first request (the manifest) has come back. */
      inQuery = false;
      readsDuringQuery: string[] = [];
      started = 0;
      /** Reads that take longer (the page's: the query then spans many compaction requests). */
      slowKeys = new Set<string>();
      override async read(k: string): Promise<Uint8Array> {
        this.started++;
        if (this.inQuery) this.readsDuringQuery.push(k);
        await new Promise((r) => setTimeout(r, this.inQuery && this.slowKeys.has(k) ? 40 : 3));
        return super.read(k);
      }
      override async readVersioned(k: string): Promise<VersionedObject> {
        try {
          return await super.readVersioned(k);
        } finally {
          // After a real round trip every compaction read that passed its check before the query began has been sent.
          if (this.listing && k === MANIFEST_KEY) this.inQuery = true;
        }
      }
    }
    const slow = new SlowReads(local());
    const runs = await seedPreIndex(slow, 400);
    const newest = runs.slice(-5).reverse();
    const pageKeys = new Set(newest.map((a) => indexKey(a)));
    slow.slowKeys = pageKeys;
    const store = new BackendRunStore(slow);
    const compaction = store.history.compact({ background: true }); // as a query starts it (compactSoon)
    while (slow.started < 40) await new Promise((r) => setTimeout(r, 1));
    expect(store.history.compactionRunning).toBe(true);

    // The query ends where its serve() ends (then the compaction may go on, before this test resumes).
    const serve = store.history.serve.bind(store.history);
    store.history.serve = <T>(fn: () => Promise<T>) =>
      serve(async () => {
        try {
          return await fn();
        } finally {
          slow.listing = false;
          slow.inQuery = false;
        }
      });
    slow.listing = true;
    const page = await store.list({ limit: 5 });
    expect(page.runs.map((r) => r.id)).toEqual(newest.map((a) => a.id));
    // The page's own reads are the 5 newest entries; the compaction read nothing while it was served.
    expect(slow.readsDuringQuery.filter((k) => !pageKeys.has(k))).toEqual([]);
    expect(store.history.compactionRunning).toBe(true);

    const result = await compaction;
    expect(result).toMatchObject({ committed: true, rows: runs.length });
    const all = await store.list({ limit: 100 });
    expect(all.runs.map((r) => r.id)).toEqual(runs.slice(-100).reverse().map((a) => a.id));
  });
});
