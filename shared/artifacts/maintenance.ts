// Maintenance of the run store: reindex() rebuilds history's index from the artifacts (the source of
// truth); sync() pushes the local outbox (failed cloud writes) to the store. Both run from `djp sync`
// (and sync also from the server's periodic outbox push, outbox-sync.ts).
import type { StorageBackend } from '../storage/backend.js';
import type { AttachmentStore } from '../attachments/store.js';
import type { RunArtifact } from '../api/index.js';
import { THREADS_PREFIX, entryOf, threadEntryKey, type ThreadEntry } from '../threads/store.js';
import type { CompactResult, HistoryIndex, Row } from './history/index.js';
import { rowOf } from './history/index.js';
import { INDEX_PREFIX, artifactIdOfKey, artifactKey, indexKey, parseIndexKey } from './layout.js';
import { toIndexEntry } from './summary.js';
import type { RunIndexEntries } from './index-entries.js';
import type { StoreLogger } from './logger.js';
import type { Outbox } from './outbox.js';
import { describe, envelope, mapLimit, parseArtifact, serialize } from './store-common.js';
import type { RunWrites } from './writes.js';

const READ_CONCURRENCY = 16;

export interface ReindexReport {
  /** Per-run entries that were missing and were written. */
  indexed: number;
  /** Artifacts that failed to parse (warned). */
  skipped: number;
  /** Index and thread entries deleted because their run is gone. */
  removed: number;
  /** History segments written (null: another replica's compaction kept winning; run it again). */
  segments: number | null;
  rows: number;
  threads: number;
  thread_entries: number;
}

export interface SyncCounts {
  pushed: number;
  failed: number;
  remaining: number;
}

export class RunMaintenance {
  constructor(
    private readonly backend: StorageBackend,
    private readonly index: RunIndexEntries,
    private readonly writes: RunWrites,
    private readonly history: HistoryIndex,
    private readonly outbox: Outbox | null,
    private readonly logger: StoreLogger,
  ) {}

  /**
   * Rebuilds every index from the artifacts (the source of truth): each run's per-run entry (missing
   * ones counted as `indexed`), the history segments (all of them, replacing the manifest's; changes
   * made while this runs stay in the change log on top), and the thread index (.threads/: every
   * follow-up and the run it follows). Entries whose artifact is gone are deleted. Artifacts that fail
   * to parse are skipped with a warning and counted.
   */
  async reindexAll(): Promise<ReindexReport> {
    const startedAt = Date.now();
    let indexed = 0;
    let skipped = 0;
    const rows: Row[] = [];
    const ids = new Set<string>();
    const threads = new Map<string, ThreadEntry>(); // follow-ups and the runs they follow
    const parents = new Set<string>();
    const thread = (a: RunArtifact) => {
      if (a.thread?.parent_id) {
        threads.set(a.id, entryOf(a));
        parents.add(a.thread.parent_id);
      }
    };
    let token: string | null = null;
    do {
      const page = await this.backend.list({ limit: 1000, ...(token ? { pageToken: token } : {}) });
      const batch = page.keys.map(artifactIdOfKey).filter((id): id is string => id !== null);
      await mapLimit(batch, READ_CONCURRENCY, async (id) => {
        try {
          const parsed = parseArtifact(this.backend, id, await this.backend.read(artifactKey(id)));
          const keys = await this.index.keysOf(id);
          if (!keys.includes(indexKey(parsed))) indexed++;
          const artifact = (await this.index.reconcile(id, false)) ?? parsed;
          ids.add(id);
          rows.push(rowOf(toIndexEntry(artifact)));
          thread(artifact);
        } catch (e) {
          skipped++;
          this.logger.warn({ run_id: id, err: describe(e) }, 'reindex: artifact skipped');
        }
      });
      token = page.nextPageToken;
    } while (token);

    // Per-run entries of runs that are gone (their artifact deleted by hand, say).
    let removed = 0;
    for (const key of await this.allKeys(INDEX_PREFIX)) {
      const k = parseIndexKey(key);
      if (!k || ids.has(k.id) || (await this.backend.exists(artifactKey(k.id)))) continue;
      await this.backend.delete(key);
      removed++;
    }

    // The history segments: all rows at once, by the compactor's code, CAS on the manifest.
    let history: CompactResult | null = null;
    for (let attempt = 0; attempt < 3 && !history?.committed; attempt++) history = await this.history.rebuild(rows, startedAt);

    // The thread index: entries for every follow-up and every run followed, none for runs that are gone.
    const missing = [...parents].filter((id) => !threads.has(id) && ids.has(id));
    await mapLimit(missing, READ_CONCURRENCY, async (id) => {
      try {
        const a = parseArtifact(this.backend, id, await this.backend.read(artifactKey(id)));
        threads.set(id, entryOf(a));
      } catch (e) {
        this.logger.warn({ run_id: id, err: describe(e) }, 'reindex: thread parent skipped');
      }
    });
    const want = new Map([...threads.values()].map((e) => [threadEntryKey(e.thread_id, e.run_id), e]));
    for (const key of await this.allKeys(THREADS_PREFIX)) {
      if (want.has(key)) continue;
      const runId = /\/([^/]+)\.json$/.exec(key)?.[1];
      if (runId && ids.has(runId)) continue; // recorded by the service for a reason this rebuild does not see: keep
      await this.backend.delete(key);
      removed++;
    }
    await mapLimit([...want], READ_CONCURRENCY, ([key, e]) => this.backend.write(key, JSON.stringify(e), { contentType: 'application/json' }));
    return {
      indexed,
      skipped,
      removed,
      segments: history?.committed ? history.segments : null,
      rows: rows.length,
      threads: new Set([...threads.values()].map((e) => e.thread_id)).size,
      thread_entries: want.size,
    };
  }

  /** The per-run part of reindexAll() as `djp sync --reindex` has always reported it. */
  async reindex(): Promise<{ indexed: number; skipped: number }> {
    const r = await this.reindexAll();
    return { indexed: r.indexed, skipped: r.skipped };
  }

  private async allKeys(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | null = null;
    do {
      const page = await this.backend.list({ prefix, limit: 1000, ...(token ? { pageToken: token } : {}) });
      keys.push(...page.keys);
      token = page.nextPageToken;
    } while (token);
    return keys;
  }

  /** Pushes the outbox (runs, then the attachments kept beside them). */
  async sync(attachments: AttachmentStore | null): Promise<SyncCounts> {
    const runs = await this.syncRuns();
    if (!attachments) return runs;
    const files = await attachments.sync();
    return { pushed: runs.pushed + files.pushed, failed: runs.failed + files.failed, remaining: runs.remaining + files.remaining };
  }

  private async syncRuns(): Promise<SyncCounts> {
    if (!this.outbox) return { pushed: 0, failed: 0, remaining: 0 };
    let pushed = 0;
    let failed = 0;
    for (const entry of await this.outbox.entries()) {
      const env = envelope(entry.artifact);
      try {
        if (entry.op === 'save') await this.writes.pushSaveOrSame(env);
        else if (entry.base_version !== undefined) await this.writes.pushChange(env, entry.base_version);
        else await this.writes.pushUpdate(env);
      } catch (e) {
        failed++;
        this.logger.warn({ run_id: entry.artifact.id, err: describe(e) }, 'outbox: push failed; entry kept');
        continue;
      }
      // Remove only what we pushed: an update queued meanwhile replaced the file and stays.
      const now = await this.outbox.get(entry.artifact.id);
      if (now && serialize(now.artifact) === env.body) await this.outbox.remove(entry.artifact.id);
      pushed++;
    }
    return { pushed, failed, remaining: await this.outbox.count() };
  }
}
