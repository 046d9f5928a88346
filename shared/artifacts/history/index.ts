// The history index (docs/STORAGE.md): compacted segments of run summaries plus a change log, so that
// history's pages, filters and text search read a manifest, one LIST and the few segments that can
// match — not every index entry. It listens to every index change of the run store (IndexListener),
// answers listing.ts's queries (null while a store has no manifest yet: listing then scans the per-run
// entries as before), and compacts the log into segments now and then (any replica; CAS on the
// manifest). The per-run entries (.index/) stay the write path and the source a rebuild starts from.
import type { StorageBackend } from '../../storage/backend.js';
import type { IndexListener } from '../index-entries.js';
import type { StoreLogger } from '../logger.js';
import { describe } from '../store-common.js';
import type { IndexEntry } from '../summary.js';
import { Compactor, type CompactOptions, type CompactResult, type SegmentSizes } from './compact.js';

export interface HistoryOptions extends SegmentSizes {
  /** Changes after the watermark that make a query start a background compaction (default COMPACT_AFTER). */
  compactAfter?: number;
}
import { changeBody, logKey, newObjectId, rowOf, type Change, type Row } from './format.js';
import { applyChanges, runQuery, type HistoryQuery, type HistoryResult } from './query.js';
import { HistorySources } from './sources.js';

/** A query that finds this many changes after the watermark starts a compaction in the background. */
export const COMPACT_AFTER = 32;
/** …at most this often per process. */
const COMPACT_EVERY_MS = 2_000;
/** Re-append rounds when a compaction passed a change while it was being written. */
const APPEND_ATTEMPTS = 3;

export { SEGMENT_MAX, SEGMENT_SPLIT, SETTLE_MS, GRACE_MS, type CompactResult } from './compact.js';
export { HISTORY_PREFIX, MANIFEST_KEY, SEGMENT_PREFIX, LOG_PREFIX, rowOf, type Row } from './format.js';
export type { HistoryQuery, HistoryResult } from './query.js';

export class HistoryIndex implements IndexListener {
  readonly sources: HistorySources;
  private readonly compactor: Compactor;
  private compacting: Promise<CompactResult | null> | null = null;
  private lastCompact = 0;
  /** A store without a manifest: the background count of its change log (firstCompactionSoon). */
  private checking: Promise<void> | null = null;
  private lastCheck = 0;
  /** Set by the store: re-appends a run's current state from its artifact (compaction's late-change repair). */
  refresh: ((runId: string) => Promise<void>) | null = null;

  private readonly compactAfter: number;

  constructor(
    backend: StorageBackend,
    private readonly logger: StoreLogger,
    opts: HistoryOptions = {},
  ) {
    this.sources = new HistorySources(backend, logger);
    this.compactor = new Compactor(this.sources, logger, opts);
    this.compactAfter = opts.compactAfter ?? COMPACT_AFTER;
  }

  private get backend(): StorageBackend {
    return this.sources.backend;
  }

  // --- writes: one change-log entry per index change ---------------------------------------------
  put(entry: IndexEntry): Promise<void> {
    return this.append({ op: 'put', row: rowOf(entry) });
  }

  remove(id: string): Promise<void> {
    return this.append({ op: 'del', id });
  }

  /**
   * Appends a change, then checks the manifest: if a compaction's watermark already passed the new key
   * (this write was slow, or this clock is behind), the change may be hidden — append it again.
   */
  private async append(change: Change): Promise<void> {
    const runId = change.op === 'put' ? change.row.id : change.id;
    const body = changeBody(change);
    for (let attempt = 0; attempt < APPEND_ATTEMPTS; attempt++) {
      const key = logKey(newObjectId(), runId);
      await this.backend.write(key, body, { contentType: 'application/json' });
      this.sources.remember(key, change);
      const { manifest } = await this.sources.readManifest();
      if (!manifest || manifest.watermark < key) return;
    }
    this.logger.warn({ run_id: runId }, 'history: compactions kept passing this change; `djp sync --reindex` repairs history');
  }

  // --- reads ------------------------------------------------------------------------------------
  /**
   * The page for `q` from the segments and the change log; null when this store has no manifest yet
   * (the caller lists from the per-run entries: the first page never waits for the first compaction,
   * which this starts in the background once enough changes are logged, and reads no log entry).
   */
  async query(q: HistoryQuery): Promise<(HistoryResult & { pending: number }) | null> {
    const { manifest } = await this.sources.readManifest();
    if (!manifest) {
      this.firstCompactionSoon();
      return null;
    }
    const tail = await this.sources.logAfter(manifest.watermark);
    if (tail.changes.length >= this.compactAfter) this.compactSoon();
    const result = await runQuery(this.sources, manifest, applyChanges(tail.changes), q);
    if (this.sources.badSegments.size) this.compactSoon();
    return { ...result, skipped: result.skipped + tail.bad, pending: tail.changes.length };
  }

  /** Runs a listing with priority over this process's compaction (HistorySources.serve). */
  serve<T>(fn: () => Promise<T>): Promise<T> {
    return this.sources.serve(fn);
  }

  // --- compaction ---------------------------------------------------------------------------------
  /** Folds the change log into the segments now (waits for one already running in this process). */
  async compact(opts: CompactOptions = {}): Promise<CompactResult | null> {
    while (this.compacting) await this.compacting.catch(() => null);
    this.compacting = this.compactor
      .compact({ ...(this.refresh ? { refresh: this.refresh } : {}), ...opts })
      .finally(() => {
        this.compacting = null;
        this.lastCompact = Date.now();
      });
    return this.compacting;
  }

  /** Replaces the segments with these rows (reindex); changes after `startedAt` stay in the log. */
  rebuild(rows: Row[], startedAt: number): Promise<CompactResult | null> {
    return this.compact({ rebuild: rows, now: startedAt });
  }

  /**
   * A store without a manifest gets its first compaction once COMPACT_AFTER changes are logged. The
   * count (a LIST of the log) is taken in the background, at most every COMPACT_EVERY_MS, after the
   * query that asked: that query lists from the per-run entries and waits for neither.
   */
  private firstCompactionSoon(): void {
    if (this.compacting || this.checking || Date.now() - this.lastCheck < COMPACT_EVERY_MS) return;
    this.lastCheck = Date.now();
    this.checking = this.sources
      .logKeysAfter('', { background: true })
      .then((keys) => {
        if (keys.length >= this.compactAfter) this.compactSoon();
      })
      .catch((e: unknown) => this.logger.warn({ err: describe(e) }, 'history: the change log could not be listed; compaction is retried later'))
      .finally(() => {
        this.checking = null;
      });
  }

  /** Starts a compaction in the background unless one ran or runs; failures are logged. */
  compactSoon(): void {
    if (this.compacting || Date.now() - this.lastCompact < COMPACT_EVERY_MS) return;
    this.lastCompact = Date.now();
    void this.compact({ background: true }).catch((e: unknown) => this.logger.warn({ err: describe(e) }, 'history: compaction failed; the change log keeps every change and the next one retries'));
  }

  /** Whether a compaction of this process is running (or about to start) now. */
  get compactionRunning(): boolean {
    return this.compacting !== null || this.checking !== null;
  }

  /** Waits for a background compaction (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.checking || this.compacting) {
      await this.checking;
      await this.compacting?.catch(() => null);
    }
  }
}
