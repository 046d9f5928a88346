// Reading the history index's objects with a per-process cache. Segments and change-log entries are
// immutable (each is written once under a fresh ULID name), so a cached copy never goes stale; only
// the manifest is re-read, and parsed again only when its version (ETag / generation / hash) moved.
// The cache holds the segments of the current manifest (and nothing the manifest dropped).
import { setTimeout as sleep } from 'node:timers/promises';
import { StorageError, type StorageBackend } from '../../storage/backend.js';
import { INDEX_PREFIX, afterIdKey, parseIndexKey } from '../layout.js';
import type { StoreLogger } from '../logger.js';
import { describe, isNotFound, mapLimit, toDjpError } from '../store-common.js';
import { IndexEntry } from '../summary.js';
import { LOG_PREFIX, MANIFEST_KEY, parseChange, parseLogKey, parseManifest, parseSegment, rowOf, type Change, type Manifest, type Row, type SegmentInfo } from './format.js';

const READS = 32;
/**
 * Compaction's parallel reads: fewer, so that a query arriving meanwhile queues behind at most this many
 * at a store that answers one request at a time (s3rver) or throttles (the one-off first build of
 * 10,000 entries takes ~25 s on S3 at 20 ms a GET; it runs in the background and queries never wait).
 */
const BACKGROUND_READS = 8;
/**
 * How long compaction holds back a request while queries are being served: longer than a slow page
 * takes, short enough that a replica serving queries back to back still compacts (slowly).
 */
export const YIELD_MAX_MS = 2_000;
/** Background requests also wait this long after the last query ended (the next page often follows). */
export const QUIET_MS = 100;
/** The longest rest after one background request (paced()). */
const REST_MAX_MS = 1_000;

/** What a read is for: a query someone waits on, or compaction (which gives way to queries). */
export interface ReadOptions {
  background?: boolean;
}

export interface LogTail {
  /** Changes after the watermark, in key order. */
  changes: Array<{ key: string; change: Change }>;
  /** Entries that could not be read as changes (skipped, warned). */
  bad: number;
}

export class HistorySources {
  private manifest: { version: string; value: Manifest | null } | null = null;
  private readonly segments = new Map<string, Row[]>();
  private readonly grams = new Map<string, Uint8Array | null>();
  private readonly logs = new Map<string, Change | null>();
  /** Segments that failed to parse: served from the per-run entries of their range until repaired. */
  readonly badSegments = new Set<string>();
  /** Queries being served now, and the background requests waiting for them to finish. */
  private serving = 0;
  private waiting: Array<() => void> = [];
  /** When the last query ended + QUIET_MS (performance.now() time): background requests wait till then. */
  private quietFrom = 0;
  private wakeTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly backend: StorageBackend,
    private readonly logger: StoreLogger,
  ) {}

  /** The manifest as stored now (null when there is none yet), with its version for a compare-and-swap. */
  async readManifest(): Promise<{ manifest: Manifest | null; version: string | null }> {
    let got;
    try {
      got = await this.backend.readVersioned(MANIFEST_KEY);
    } catch (e) {
      if (isNotFound(e)) return { manifest: null, version: null };
      throw toDjpError(e, `read ${this.backend.uri(MANIFEST_KEY)}`);
    }
    if (this.manifest?.version !== got.version) {
      const value = parseManifest(got.data);
      if (!value) this.logger.warn({ key: this.backend.uri(MANIFEST_KEY) }, 'history: manifest unreadable; listing from the per-run entries until it is rebuilt');
      this.manifest = { version: got.version, value };
      const keep = new Set(value?.segments.flatMap((s) => (s.grams ? [s.key, s.grams] : [s.key])) ?? []);
      for (const k of this.segments.keys()) if (!keep.has(k)) this.segments.delete(k);
      for (const k of this.grams.keys()) if (!keep.has(k)) this.grams.delete(k);
    }
    return { manifest: this.manifest.value, version: got.version };
  }

  /**
   * Runs a query with priority over background work: while any query is being served, compaction
   * sends no new request (for at most YIELD_MAX_MS each), so a server that answers one request at a
   * time (s3rver) or a busy bucket serves the page first, not behind thousands of compaction reads.
   */
  async serve<T>(fn: () => Promise<T>): Promise<T> {
    this.serving++;
    try {
      return await fn();
    } finally {
      if (--this.serving === 0) {
        // Held-back requests go on after a quiet spell, not between two pages listed back to back.
        this.quietFrom = performance.now() + QUIET_MS;
        this.wakeTimer ??= setTimeout(() => this.wakeIfQuiet(), QUIET_MS);
      }
    }
  }

  private wakeIfQuiet(): void {
    this.wakeTimer = null;
    if (this.serving > 0) return; // the query that ends next schedules the wake-up
    const wait = this.quietFrom - performance.now();
    if (wait > 0) this.wakeTimer = setTimeout(() => this.wakeIfQuiet(), Math.ceil(wait));
    else for (const wake of this.waiting.splice(0)) wake();
  }

  /**
   * Resolves at once when no query is being served and none ended within QUIET_MS, else once that is
   * so (or after YIELD_MAX_MS).
   */
  giveWay(): Promise<void> {
    if (this.serving === 0 && performance.now() >= this.quietFrom) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting = this.waiting.filter((w) => w !== wake);
        resolve();
      }, YIELD_MAX_MS);
      const wake = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.waiting.push(wake);
    });
  }

  private parallel(opts: ReadOptions): number {
    return opts.background ? BACKGROUND_READS : READS;
  }

  /**
   * One request. In the background it first gives way to queries, and afterwards rests as long as it
   * took (at most REST_MAX_MS): compaction keeps a store busy at most about half the time, so a query
   * arriving at a random moment finds no compaction request ahead of it about half the time even at
   * a store that answers one request at a time, where one LIST can take 150 ms (s3rver, 10,000 runs).
   */
  private async paced<T>(opts: ReadOptions, request: () => Promise<T>): Promise<T> {
    if (!opts.background) return request();
    await this.giveWay();
    const started = performance.now();
    const out = await request();
    await sleep(Math.min(REST_MAX_MS, performance.now() - started));
    return out;
  }

  /** The change-log keys after `watermark`, in order (LIST only). */
  async logKeysAfter(watermark: string, opts: ReadOptions = {}): Promise<string[]> {
    const keys: string[] = [];
    let token: string | null = null;
    try {
      do {
        const page = await this.paced(opts, () => this.backend.list({ prefix: LOG_PREFIX, limit: 1000, ...(token ? { pageToken: token } : watermark ? { startAfter: watermark } : {}) }));
        keys.push(...page.keys);
        token = page.nextPageToken;
      } while (token);
    } catch (e) {
      throw toDjpError(e, `list ${this.backend.uri(LOG_PREFIX)}`);
    }
    return keys;
  }

  /** Keys and changes in the log after `watermark` (the cache keeps every change already read). */
  async logAfter(watermark: string, opts: ReadOptions = {}): Promise<LogTail> {
    const keys = await this.logKeysAfter(watermark, opts);
    const todo = keys.filter((k) => !this.logs.has(k));
    await mapLimit(todo, this.parallel(opts), async (key) => {
      const parsed = parseLogKey(key);
      if (!parsed) return void this.logs.set(key, null);
      try {
        this.logs.set(key, parseChange(await this.paced(opts, () => this.backend.read(key)), parsed.runId));
      } catch (e) {
        if (isNotFound(e)) return; // pruned after a compaction meanwhile: folded into the segments
        throw toDjpError(e, `read ${this.backend.uri(key)}`);
      }
    });
    const changes: LogTail['changes'] = [];
    let bad = 0;
    for (const key of keys) {
      if (!this.logs.has(key)) continue;
      const change = this.logs.get(key);
      if (change) changes.push({ key, change });
      else {
        bad++;
        this.logger.warn({ key: this.backend.uri(key) }, 'history: change-log entry unreadable; skipped');
      }
    }
    if (this.logs.size > 20_000) for (const k of [...this.logs.keys()].slice(0, 10_000)) if (k <= watermark) this.logs.delete(k);
    return { changes, bad };
  }

  /** Remembers a change this process wrote (no read needed later). */
  remember(key: string, change: Change): void {
    this.logs.set(key, change);
  }

  forget(key: string): void {
    this.logs.delete(key);
  }

  /** A segment's trigram filter, read once; null when it has none or it cannot be read (then: read the segment). */
  async gramsOf(seg: SegmentInfo): Promise<Uint8Array | null> {
    if (!seg.grams) return null;
    if (this.grams.has(seg.grams)) return this.grams.get(seg.grams) ?? null;
    let data: Uint8Array | null = null;
    try {
      data = await this.backend.read(seg.grams);
    } catch (e) {
      if (!isNotFound(e)) throw toDjpError(e, `read ${this.backend.uri(seg.grams)}`);
    }
    this.grams.set(seg.grams, data);
    return data;
  }

  isCached(seg: SegmentInfo): boolean {
    return this.segments.has(seg.key);
  }

  /**
   * The rows of a segment, read once. A segment that fails to parse (or is missing while the manifest
   * names it) is rebuilt in memory from the per-run entries of its id range — slower, never losing a
   * run — and flagged for the compactor to rewrite.
   */
  async segmentRows(seg: SegmentInfo, upper: string | null, opts: ReadOptions = {}): Promise<{ rows: Row[]; bad: number }> {
    const cached = this.segments.get(seg.key);
    if (cached) return { rows: cached, bad: 0 };
    let raw: Uint8Array | null = null;
    try {
      raw = await this.paced(opts, () => this.backend.read(seg.key));
    } catch (e) {
      if (!isNotFound(e)) throw toDjpError(e, `read ${this.backend.uri(seg.key)}`);
    }
    const parsed = raw ? parseSegment(raw) : null;
    if (parsed && parsed.bad === 0) {
      this.segments.set(seg.key, parsed.rows);
      return { rows: parsed.rows, bad: 0 };
    }
    this.badSegments.add(seg.key);
    this.logger.warn({ key: this.backend.uri(seg.key) }, `history: segment ${raw ? 'unreadable' : 'missing'}; reading the per-run entries of its range instead (the next compaction rewrites it)`);
    const scanned = await this.scanEntries(seg.from, upper, opts);
    this.segments.set(seg.key, scanned.rows);
    return scanned;
  }

  /** Rows of the per-run index entries with from ≤ id < upper (upper null: no bound), newest first. */
  async scanEntries(from: string, upper: string | null, opts: ReadOptions = {}): Promise<{ rows: Row[]; bad: number }> {
    const rows: Row[] = [];
    const keys: string[] = [];
    let bad = 0;
    let token: string | null = null;
    let lastId: string | null = null;
    try {
      scan: do {
        const page = await this.paced(opts, () => this.backend.list({ prefix: INDEX_PREFIX, limit: 1000, ...(token ? { pageToken: token } : { startAfter: upper ? afterIdKey(upper) : INDEX_PREFIX }) }));
        for (const key of page.keys) {
          const k = parseIndexKey(key);
          if (!k) {
            bad++;
            this.logger.warn({ key: this.backend.uri(key) }, 'history: unrecognised index key skipped');
            continue;
          }
          if (upper && k.id >= upper) continue;
          if (k.id < from) break scan;
          if (k.id === lastId) continue;
          lastId = k.id;
          keys.push(key);
        }
        token = page.nextPageToken;
      } while (token);
    } catch (e) {
      throw toDjpError(e, `list ${this.backend.uri(INDEX_PREFIX)}`);
    }
    const read = await mapLimit(keys, this.parallel(opts), async (key) => {
      try {
        const entry = IndexEntry.parse(JSON.parse(Buffer.from(await this.paced(opts, () => this.backend.read(key))).toString('utf8')));
        if (entry.id !== parseIndexKey(key)?.id) throw new Error(`entry names run ${entry.id}`);
        return rowOf(entry);
      } catch (e) {
        if (isNotFound(e)) return 'gone' as const;
        if (e instanceof StorageError) throw toDjpError(e, `read ${this.backend.uri(key)}`);
        this.logger.warn({ key: this.backend.uri(key), err: describe(e) }, 'history: index entry failed to parse; skipped');
        return null;
      }
    });
    for (const r of read) {
      if (r === 'gone') continue;
      if (r) rows.push(r);
      else bad++;
    }
    return { rows, bad };
  }
}
