// The run store: RunStore over any StorageBackend (layout in layout.ts, docs/STORAGE.md). One object
// for callers, four parts by job, each replaceable without touching the others:
//   writes.ts       save / update / modify (compare-and-swap) / delete, and the outbox fallback
//   index-entries.ts the per-run index entries every write keeps in step
//   listing.ts      list(): history pages, filters and search (+ outbox, live runs, outage serving)
//   history/        the history index: segments of summaries + a change log, compacted by any replica
//   maintenance.ts  reindex() from the artifacts, sync() of the outbox
import { DjpError, type ListRunsQuery, type RunArtifact, type RunPage } from '../api/index.js';
import type { StorageBackend } from '../storage/backend.js';
import type { AttachmentStore } from '../attachments/store.js';
import { artifactKey } from './layout.js';
import { HistoryIndex, type HistoryOptions } from './history/index.js';
import { RunIndexEntries } from './index-entries.js';
import { RunListing } from './listing.js';
import { LiveRuns } from './live.js';
import { silentLogger, type StoreLogger } from './logger.js';
import { RunMaintenance, type ReindexReport, type SyncCounts } from './maintenance.js';
import type { Outbox } from './outbox.js';
import { checkId, isNotFound, parseArtifact, toDjpError } from './store-common.js';
import type { RunStore, SaveResult } from './types.js';
import { RunWrites } from './writes.js';

export { toDjpError, mapLimit } from './store-common.js';
export { ID_TIME_SLACK_MS } from './listing.js';

export interface BackendRunStoreOptions {
  /** Local outbox for failed cloud writes; null (the default for local backends) disables it. */
  outbox?: Outbox | null;
  logger?: StoreLogger;
  /** History index sizes (tests use small segments); false lists from the per-run entries only. */
  history?: HistoryOptions | false;
}

export class BackendRunStore implements RunStore {
  readonly kind: 'local' | 's3' | 'gcs';
  readonly location: string;
  private readonly outbox: Outbox | null;
  /** The attachments kept beside the artifacts (shared/attachments): their outbox is pushed by sync() too. */
  attachments: AttachmentStore | null = null;
  /** Accepted and in-progress runs (live.ts). */
  readonly live: LiveRuns;
  readonly index: RunIndexEntries;
  /** History's segments and change log (history/): what list() reads once the store has a manifest. */
  readonly history: HistoryIndex;
  private readonly writes: RunWrites;
  private readonly listing: RunListing;
  private readonly maintenance: RunMaintenance;

  constructor(
    readonly backend: StorageBackend,
    opts: BackendRunStoreOptions = {},
  ) {
    this.kind = backend.kind;
    this.location = backend.location;
    this.outbox = opts.outbox ?? null;
    const logger = opts.logger ?? silentLogger;
    this.live = new LiveRuns(backend, this.outbox?.dir ?? null, logger);
    this.index = new RunIndexEntries(backend);
    this.history = new HistoryIndex(backend, logger, opts.history || {});
    this.index.listener = this.history;
    // Compaction's late-change repair: the run's state as stored now (removed when it is gone).
    this.history.refresh = async (id) => {
      if (await backend.exists(artifactKey(id))) await this.index.reconcile(id);
      else await this.history.remove(id);
    };
    this.writes = new RunWrites(backend, this.index, this.outbox, logger);
    this.listing = new RunListing(backend, this.outbox, this.live, logger, opts.history === false ? null : this.history);
    this.maintenance = new RunMaintenance(backend, this.index, this.writes, this.history, this.outbox, logger);
  }

  get outboxDir(): string | null {
    return this.outbox?.dir ?? null;
  }

  save(artifact: RunArtifact): Promise<SaveResult> {
    return this.writes.save(artifact);
  }

  update(artifact: RunArtifact): Promise<SaveResult> {
    return this.writes.update(artifact);
  }

  modify(id: string, change: (current: RunArtifact) => RunArtifact): Promise<{ artifact: RunArtifact; saved: SaveResult }> {
    return this.writes.modify(id, change);
  }

  delete(id: string): Promise<void> {
    return this.writes.delete(id);
  }

  async load(id: string): Promise<RunArtifact> {
    checkId(id);
    const pending = this.outbox ? await this.outbox.get(id) : null;
    if (pending) return pending.artifact; // newer than (or absent from) the remote store
    let raw: Uint8Array;
    try {
      raw = await this.backend.read(artifactKey(id));
    } catch (e) {
      if (isNotFound(e)) throw new DjpError('not_found', `run ${id} not found in ${this.location}`, 'id');
      throw toDjpError(e, `read run ${id} from ${this.location}`);
    }
    return parseArtifact(this.backend, id, raw);
  }

  list(query: ListRunsQuery): Promise<RunPage> {
    return this.listing.list(query);
  }

  reindex(): Promise<{ indexed: number; skipped: number }> {
    return this.maintenance.reindex();
  }

  /** Rebuilds every index (per-run entries, history segments, threads) from the artifacts. */
  reindexAll(): Promise<ReindexReport> {
    return this.maintenance.reindexAll();
  }

  sync(): Promise<SyncCounts> {
    return this.maintenance.sync(this.attachments);
  }

  async outboxCount(): Promise<number> {
    return (this.outbox ? await this.outbox.count() : 0) + (this.attachments ? await this.attachments.outboxCount() : 0);
  }

  async ping(): Promise<void> {
    try {
      await this.backend.ping();
    } catch (e) {
      throw toDjpError(e, `storage ${this.location}`);
    }
  }
}
