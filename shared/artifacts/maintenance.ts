// Maintenance of the run store: reindex() rebuilds history's index from the artifacts (the source of
// truth); sync() pushes the local outbox (failed cloud writes) to the store. Both run from `djp sync`
// (and sync also from the server's periodic outbox push, outbox-sync.ts).
import type { StorageBackend } from '../storage/backend.js';
import type { AttachmentStore } from '../attachments/store.js';
import { artifactIdOfKey, artifactKey, indexKey } from './layout.js';
import type { RunIndexEntries } from './index-entries.js';
import type { StoreLogger } from './logger.js';
import type { Outbox } from './outbox.js';
import { describe, envelope, mapLimit, parseArtifact, serialize } from './store-common.js';
import type { RunWrites } from './writes.js';

const READ_CONCURRENCY = 16;

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
    private readonly outbox: Outbox | null,
    private readonly logger: StoreLogger,
  ) {}

  /**
   * Rebuilds missing index entries from the artifacts (e.g. artifacts copied in by hand, or an index
   * write that never happened). Artifacts that fail to parse are skipped with a warning and counted.
   */
  async reindex(): Promise<{ indexed: number; skipped: number }> {
    let indexed = 0;
    let skipped = 0;
    let token: string | null = null;
    do {
      const page = await this.backend.list({ limit: 1000, ...(token ? { pageToken: token } : {}) });
      const ids = page.keys.map(artifactIdOfKey).filter((id): id is string => id !== null);
      await mapLimit(ids, READ_CONCURRENCY, async (id) => {
        try {
          const artifact = parseArtifact(this.backend, id, await this.backend.read(artifactKey(id)));
          const keys = await this.index.keysOf(id);
          if (!keys.includes(indexKey(artifact))) indexed++;
          await this.index.reconcile(id);
        } catch (e) {
          skipped++;
          this.logger.warn({ run_id: id, err: describe(e) }, 'reindex: artifact skipped');
        }
      });
      token = page.nextPageToken;
    } while (token);
    return { indexed, skipped };
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
