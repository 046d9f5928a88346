// The per-run index entries (.index/<inv-id>-<s>-<providers>.json, layout.ts): written beside every
// artifact, moved when its status changes, removed with it. They are the write path of history; the
// history index (history/) folds them into segments for listing and search.
import type { RunArtifact } from '../api/index.js';
import type { StorageBackend, VersionedObject } from '../storage/backend.js';
import { artifactKey, indexIdPrefix, indexKey } from './layout.js';
import { allSettledOrThrow, isNotFound, parseArtifact } from './store-common.js';
import { toIndexEntry, type IndexEntry } from './summary.js';

/** Rounds of "the artifact changed while its index was being reconciled" before giving up. */
const RECONCILE_ATTEMPTS = 8;

/** Told of every index change (the history index's change log listens here). */
export interface IndexListener {
  put(entry: IndexEntry): Promise<void>;
  remove(id: string): Promise<void>;
}

export class RunIndexEntries {
  listener: IndexListener | null = null;

  constructor(private readonly backend: StorageBackend) {}

  /**
   * Writes the run's entry and tells the listener (the history change log) at the same time: the two
   * are independent objects, both derived from an artifact already stored, so neither waits for the
   * other (a save costs the artifact write plus the slower of the two, not all three in a row). Returns
   * once both have settled; the first failure is thrown. `notify: false` (a reindex, which rebuilds
   * the segments itself) skips the listener.
   */
  async write(artifact: RunArtifact, notify = true): Promise<void> {
    const entry = toIndexEntry(artifact);
    const entryWrite = this.backend.write(indexKey(artifact), JSON.stringify(entry), { contentType: 'application/json' });
    await allSettledOrThrow([entryWrite, notify && this.listener ? this.listener.put(entry) : null]);
  }

  /** The index keys of run `id` (normally one; two while a status change is half done). */
  async keysOf(id: string): Promise<string[]> {
    const page = await this.backend.list({ prefix: indexIdPrefix(id), limit: 100 });
    return page.keys;
  }

  /** Deletes every index entry of run `id`; returns whether there was one. */
  async removeAll(id: string): Promise<boolean> {
    const keys = await this.keysOf(id);
    for (const key of keys) await this.backend.delete(key);
    await this.listener?.remove(id);
    return keys.length > 0;
  }

  /**
   * Makes the run's index entries match the artifact AS STORED NOW: writes the entry for it and deletes
   * the run's other entries. Index keys are derived from the stored artifact, never from what this
   * writer meant to store, so a slower writer never deletes the entry of a newer version another
   * replica wrote; if the artifact changes while we work, we go round again on the new version.
   */
  async reconcile(id: string, notify = true): Promise<RunArtifact | null> {
    const key = artifactKey(id);
    for (let attempt = 0; attempt < RECONCILE_ATTEMPTS; attempt++) {
      let before: VersionedObject;
      try {
        before = await this.backend.readVersioned(key);
      } catch (e) {
        if (isNotFound(e)) return null; // deleted: delete() cleans up
        throw e;
      }
      const artifact = parseArtifact(this.backend, id, before.data);
      const want = indexKey(artifact);
      await this.write(artifact, notify);
      for (const k of await this.keysOf(id)) if (k !== want) await this.backend.delete(k);
      const after = await this.backend.readVersioned(key).catch(() => null);
      if (!after || after.version === before.version) return artifact;
    }
    return null;
  }
}
