// Compaction: folds the change log into the segments. Any replica may run it; the manifest is replaced
// by compare-and-swap (create-only the first time), so of two compactors working from one manifest
// exactly one commits and the other's new segments are deleted unused — no entry is ever lost, because
// a change stays in the log (and visible to readers) until a committed manifest's watermark covers it.
//
//  1. read the manifest (none yet: start from the per-run entries, a one-off full scan);
//  2. take the log after the watermark, up to changes older than SETTLE_MS (a write still in flight is
//     left for the next round);
//  3. apply them to the segments they fall in (by id range), splitting a segment past SEGMENT_MAX rows;
//     write each new segment create-only under a fresh name;
//  4. compare-and-swap the manifest; on a conflict, delete the new segments and stop;
//  5. re-list the folded range: a change that landed there after step 2 (a slow writer) is appended
//     again from the stored artifact, so it is not hidden behind the watermark;
//  6. prune, after GRACE_MS: change-log entries behind the watermark and segments no manifest names.
import { StorageError, type StorageBackend } from '../../storage/backend.js';
import { ulidTime, encodeUlidTime } from '../layout.js';
import type { StoreLogger } from '../logger.js';
import { describe } from '../store-common.js';
import { buildGrams } from './grams.js';
import { LOG_PREFIX, MANIFEST_KEY, gramsKey, newObjectId, SEGMENT_PREFIX, parseLogKey, segmentBody, segmentFor, segmentIdOfKey, segmentInfo, segmentKey, type Change, type Manifest, type Row, type SegmentInfo } from './format.js';
import type { HistorySources } from './sources.js';

/** A segment holds at most this many rows; one that grows past it is split into SEGMENT_SPLIT-row parts. */
export const SEGMENT_MAX = 4000;
export const SEGMENT_SPLIT = 2000;
/** Changes younger than this are left for the next compaction (a write may still be landing). */
export const SETTLE_MS = 5_000;
/** Folded log entries and unused segments are deleted once this old (a reader may still use them). */
export const GRACE_MS = 10 * 60_000;

export interface CompactResult {
  committed: boolean;
  folded: number;
  segments: number;
  rows: number;
  /** Segments rewritten because they failed to parse. */
  repaired: number;
}

export interface CompactOptions {
  /** Replace everything with these rows (reindex): the log up to now is ignored, later changes stay. */
  rebuild?: Row[];
  now?: number;
  /** Re-appends the current state of a run whose change landed behind the watermark (step 5). */
  refresh?: (runId: string) => Promise<void>;
  /** A background compaction (HistoryIndex.compactSoon): every request gives way to queries (sources.ts). */
  background?: boolean;
}

function byIdDesc(a: Row, b: Row): number {
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** The log key bound below which every change is older than `ms` (keys sort by their ULID time). */
function logBound(ms: number): string {
  return `${LOG_PREFIX}${encodeUlidTime(ms)}`;
}

export interface SegmentSizes {
  /** Rows past which a segment is split (default SEGMENT_MAX). */
  segmentMax?: number;
  /** Rows per part of a split (default SEGMENT_SPLIT). */
  segmentSplit?: number;
}

export class Compactor {
  private readonly max: number;
  private readonly split: number;

  constructor(
    private readonly src: HistorySources,
    private readonly logger: StoreLogger,
    sizes: SegmentSizes = {},
  ) {
    this.max = sizes.segmentMax ?? SEGMENT_MAX;
    this.split = Math.min(this.max, sizes.segmentSplit ?? SEGMENT_SPLIT);
  }

  private get backend(): StorageBackend {
    return this.src.backend;
  }

  async compact(opts: CompactOptions = {}): Promise<CompactResult> {
    const now = opts.now ?? Date.now();
    const { manifest, version } = await this.src.readManifest();
    const watermark = manifest?.watermark ?? '';
    const bound = logBound(now - SETTLE_MS);
    // In the background every read here gives way to the queries this process serves (sources.ts).
    const bg = { background: opts.background ?? false };
    const tail = await this.src.logAfter(watermark, bg);
    const folding = tail.changes.filter((c) => c.key < bound);
    const newWatermark = opts.rebuild ? bound : (folding[folding.length - 1]?.key ?? watermark);

    // The segments to start from, and which of them change.
    let segs: SegmentInfo[];
    const rowsOf = new Map<number, Row[]>(); // index in segs → new rows
    let repaired = 0;
    let unreadable = 0;
    if (opts.rebuild) {
      segs = [{ ...segmentInfo('', '', []), from: '' }];
      rowsOf.set(0, [...opts.rebuild]);
    } else if (!manifest) {
      // First compaction of this store: every run so far, from its per-run entry.
      const all = await this.src.scanEntries('', null, bg);
      segs = [{ ...segmentInfo('', '', []), from: '' }];
      rowsOf.set(0, all.rows);
      unreadable = all.bad;
    } else {
      segs = manifest.segments.length ? manifest.segments : [{ ...segmentInfo('', '', []), from: '' }];
      const bad = segs.map((s, i) => (this.src.badSegments.has(s.key) ? i : -1)).filter((i) => i >= 0);
      if (folding.length === 0 && bad.length === 0) return { committed: false, folded: 0, segments: segs.length, rows: count(segs), repaired: 0 };
      const touched = new Set<number>(bad);
      for (const { change } of folding) touched.add(segmentFor(segs, change.op === 'put' ? change.row.id : change.id));
      for (const i of touched) {
        const s = segs[i] as SegmentInfo;
        if (!s.key) {
          rowsOf.set(i, []);
          continue;
        }
        const upper = i === 0 ? null : (segs[i - 1] as SegmentInfo).from;
        const wasBad = this.src.badSegments.has(s.key);
        const { rows } = await this.src.segmentRows(s, upper, bg);
        if (wasBad || this.src.badSegments.has(s.key)) repaired++;
        rowsOf.set(i, [...rows]);
      }
    }
    if (!opts.rebuild) applyTo(segs, rowsOf, folding.map((c) => c.change));

    // New segment objects for every changed segment (split when large), then the manifest.
    const written: string[] = [];
    const next: SegmentInfo[] = [];
    try {
      for (let i = 0; i < segs.length; i++) {
        const s = segs[i] as SegmentInfo;
        const rows = rowsOf.get(i);
        if (!rows) {
          next.push(s);
          continue;
        }
        rows.sort(byIdDesc);
        const parts = rows.length > this.max ? chunk(rows, this.split) : [rows];
        for (let p = 0; p < parts.length; p++) {
          const part = parts[p] as Row[];
          if (part.length === 0) continue;
          const id = newObjectId();
          const key = segmentKey(id);
          const grams = gramsKey(id);
          await this.backend.create(grams, buildGrams(part.map((r) => r.text)), { contentType: 'application/octet-stream' });
          written.push(grams);
          await this.backend.create(key, segmentBody(part), { contentType: 'application/json' });
          written.push(key);
          // The oldest part keeps the segment's lower bound; newer parts start at their oldest id.
          const from = p === parts.length - 1 ? s.from : (part[part.length - 1] as Row).id;
          const info = { ...segmentInfo(key, from, part), grams };
          // Unreadable per-run entries met while building from them are reported with the newest part.
          if (unreadable && next.length === 0) info.skipped = unreadable;
          next.push(info);
        }
      }
      // An emptied oldest segment hands its lower bound ("" = everything older) to the one above it.
      if (next.length && (next[next.length - 1] as SegmentInfo).from !== '') next[next.length - 1] = { ...(next[next.length - 1] as SegmentInfo), from: '' };
      const m: Manifest = { v: 1, seq: (manifest?.seq ?? 0) + 1, watermark: newWatermark, updated_at: new Date(now).toISOString(), segments: next };
      const body = `${JSON.stringify(m)}\n`;
      if (version === null) await this.backend.create(MANIFEST_KEY, body, { contentType: 'application/json' });
      else await this.backend.writeIfMatch(MANIFEST_KEY, body, version, { contentType: 'application/json' });
    } catch (e) {
      for (const k of written) await this.backend.delete(k).catch(() => undefined);
      if (e instanceof StorageError && e.kind === 'conflict') {
        this.logger.info({}, 'history: another replica compacted first; this compaction is dropped');
        return { committed: false, folded: 0, segments: segs.length, rows: count(segs), repaired: 0 };
      }
      throw e;
    }
    for (const s of segs) if (s.key) this.src.badSegments.delete(s.key);

    // A change that landed behind the new watermark after we listed (a slow writer) is re-appended.
    if (opts.refresh && newWatermark > watermark) {
      const seen = new Set(tail.changes.map((c) => c.key));
      const again = await this.src.logAfter(watermark, bg);
      for (const { key } of again.changes) {
        if (key > newWatermark || seen.has(key)) continue;
        const id = parseLogKey(key)?.runId;
        if (id) await opts.refresh(id).catch((e: unknown) => this.logger.warn({ run_id: id, err: describe(e) }, 'history: late change not re-appended; `djp sync --reindex` repairs it'));
      }
    }
    await this.prune(next, newWatermark, now, bg.background).catch((e: unknown) => this.logger.warn({ err: describe(e) }, 'history: pruning old index objects failed (harmless; retried next time)'));
    return { committed: true, folded: opts.rebuild ? 0 : folding.length, segments: next.length, rows: count(next), repaired };
  }

  /** Deletes folded change-log entries and unreferenced segments older than GRACE_MS. */
  private async prune(segments: SegmentInfo[], watermark: string, now: number, background: boolean): Promise<void> {
    const old = now - GRACE_MS;
    const keep = new Set(segments.flatMap((s) => (s.grams ? [s.key, s.grams] : [s.key])));
    const drop = async (k: string): Promise<void> => {
      if (background) await this.src.giveWay();
      await this.backend.delete(k);
      this.src.forget(k);
    };
    let token: string | null = null;
    log: do {
      const page = await this.backend.list({ prefix: LOG_PREFIX, limit: 1000, ...(token ? { pageToken: token } : {}) });
      for (const k of page.keys) {
        if (k > watermark) break log;
        if (ulidTime(parseLogKey(k)?.changeId ?? '') < old) await drop(k);
      }
      token = page.nextPageToken;
    } while (token);
    token = null;
    do {
      const page = await this.backend.list({ prefix: SEGMENT_PREFIX, limit: 1000, ...(token ? { pageToken: token } : {}) });
      for (const k of page.keys) if (!keep.has(k) && ulidTime(segmentIdOfKey(k) ?? '') < old) await drop(k);
      token = page.nextPageToken;
    } while (token);
  }
}

function count(segs: SegmentInfo[]): number {
  return segs.reduce((n, s) => n + s.count, 0);
}

function chunk<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

/** Applies changes (in order) to the rows of the segments they fall in. */
function applyTo(segs: SegmentInfo[], rowsOf: Map<number, Row[]>, changes: Change[]): void {
  const maps = new Map<number, Map<string, Row>>();
  for (const [i, rows] of rowsOf) maps.set(i, new Map(rows.map((r) => [r.id, r])));
  for (const c of changes) {
    const id = c.op === 'put' ? c.row.id : c.id;
    const m = maps.get(segmentFor(segs, id));
    if (!m) continue;
    if (c.op === 'put') m.set(id, c.row);
    else m.delete(id);
  }
  for (const [i, m] of maps) rowsOf.set(i, [...m.values()]);
}
