// The history index's objects (docs/STORAGE.md "History index"), beside the per-run entries:
//
//   .history/manifest.json            Manifest: the segments in use, newest first, with per-segment
//                                     counts (status, provider), id and date ranges, and `watermark`:
//                                     the last change-log key folded into them. Changed only by
//                                     compare-and-swap (create-only when first written).
//   .history/seg/<ulid>.json          Segment: up to SEGMENT_MAX rows (a run's summary plus its task
//                                     text lowercased for search), immutable, named by a fresh ULID.
//   .history/log/<ulid>-<run id>.json Change: {op:"put", row} or {op:"del", id}, appended on every
//                                     index change (save, status change, delete), immutable.
//
// A reader's view = the manifest's segments, with the change log after the watermark applied in key
// order on top (a later change of a run replaces its segment row; a "del" removes it). Every object
// here is rebuildable from the artifacts (`djp sync --reindex`).
import { PROVIDER_IDS, PUBLISH_STATUSES, type ProviderId, type PublishStatus, type RunSummary } from '../../api/index.js';
import { RUN_ID_RE } from '../../api/ids.js';
import { PROVIDER_CODE, STATUS_CODE } from '../layout.js';
import type { IndexEntry } from '../summary.js';
import { monotonicFactory } from 'ulid';
import { pooledRandom } from '../ids.js';

export const HISTORY_PREFIX = '.history/';
export const MANIFEST_KEY = `${HISTORY_PREFIX}manifest.json`;
export const SEGMENT_PREFIX = `${HISTORY_PREFIX}seg/`;
export const LOG_PREFIX = `${HISTORY_PREFIX}log/`;

const ID = RUN_ID_RE.source.replace(/^\^/, '').replace(/\$$/, '');
const LOG_KEY_RE = new RegExp(`^${LOG_PREFIX.replace(/\./g, '\\.')}(${ID})-(${ID})\\.json$`);
const SEGMENT_KEY_RE = new RegExp(`^${SEGMENT_PREFIX.replace(/\./g, '\\.')}(${ID})\\.(json|grams)$`);

const nextId = monotonicFactory(pooledRandom);

/** A fresh, time-ordered name for a change or a segment (its own clock: run ids are never affected). */
export function newObjectId(): string {
  return nextId(Date.now());
}

export function logKey(changeId: string, runId: string): string {
  return `${LOG_PREFIX}${changeId}-${runId}.json`;
}

/** The change id (a ULID, time-ordered) and run id of a change-log key, else null. */
export function parseLogKey(key: string): { changeId: string; runId: string } | null {
  const m = LOG_KEY_RE.exec(key);
  return m ? { changeId: m[1] as string, runId: m[2] as string } : null;
}

export function segmentKey(segmentId: string): string {
  return `${SEGMENT_PREFIX}${segmentId}.json`;
}

/** The trigram filter stored beside a segment (grams.ts). */
export function gramsKey(segmentId: string): string {
  return `${SEGMENT_PREFIX}${segmentId}.grams`;
}

/** The id of a segment's object or of its trigram filter. */
export function segmentIdOfKey(key: string): string | null {
  return SEGMENT_KEY_RE.exec(key)?.[1] ?? null;
}

/** One run in a segment or a change: its summary and its whole task, lowercased, for `q`. */
export interface Row extends RunSummary {
  text: string;
}

export function rowOf(entry: IndexEntry): Row {
  const { v: _v, task_full, live: _live, ...summary } = entry;
  return { ...summary, text: (task_full ?? entry.task).toLowerCase() };
}

export function summaryOf(row: Row): RunSummary {
  const { text: _t, ...summary } = row;
  return summary;
}

const STATUSES = new Set<string>(PUBLISH_STATUSES);
const PROVIDERS = new Set<string>(PROVIDER_IDS);

/**
 * Checks one stored row (segments hold thousands: a hand-written check, not zod, keeps a cold load of
 * 100,000 rows fast). Returns null for anything that is not a row.
 */
export function checkRow(x: unknown): Row | null {
  if (typeof x !== 'object' || x === null) return null;
  const r = x as Record<string, unknown>;
  if (typeof r.id !== 'string' || !RUN_ID_RE.test(r.id)) return null;
  if (typeof r.created_at !== 'string' || typeof r.task !== 'string' || typeof r.text !== 'string') return null;
  if (typeof r.status !== 'string' || !STATUSES.has(r.status)) return null;
  if (!Array.isArray(r.providers) || !r.providers.every((p) => typeof p === 'string' && PROVIDERS.has(p))) return null;
  if (!(r.cost_usd === null || typeof r.cost_usd === 'number') || typeof r.duration_ms !== 'number') return null;
  const w = r.winner as Record<string, unknown> | null;
  if (!(w === null || (typeof w === 'object' && typeof w.provider === 'string' && PROVIDERS.has(w.provider) && typeof w.model === 'string'))) return null;
  return {
    id: r.id,
    created_at: r.created_at,
    task: r.task,
    status: r.status as PublishStatus,
    winner: w ? { provider: w.provider as ProviderId, model: w.model as string } : null,
    providers: r.providers as ProviderId[],
    cost_usd: r.cost_usd as number | null,
    duration_ms: r.duration_ms,
    text: r.text,
  };
}

export type Change = { op: 'put'; row: Row } | { op: 'del'; id: string };

export function parseChange(raw: Uint8Array, runId: string): Change | null {
  let x: unknown;
  try {
    x = JSON.parse(Buffer.from(raw).toString('utf8'));
  } catch {
    return null;
  }
  const c = x as { v?: unknown; op?: unknown; row?: unknown; id?: unknown };
  if (c?.v !== 1) return null;
  if (c.op === 'del') return c.id === runId ? { op: 'del', id: runId } : null;
  if (c.op === 'put') {
    const row = checkRow(c.row);
    return row && row.id === runId ? { op: 'put', row } : null;
  }
  return null;
}

export function changeBody(c: Change): string {
  return JSON.stringify({ v: 1, ...c });
}

/** What the manifest says of one segment, so that a query can skip it without reading it. */
export interface SegmentInfo {
  key: string;
  /** Lowest run id this segment covers (inclusive); "" for the oldest. It covers up to the next newer segment's `from`. */
  from: string;
  count: number;
  min_id: string;
  max_id: string;
  min_created: string;
  max_created: string;
  /** Rows per status code / provider code (layout.ts STATUS_CODE, PROVIDER_CODE). */
  statuses: Record<string, number>;
  providers: Record<string, number>;
  /** Per-run entries that failed to parse when this segment was built from them (counted as skipped). */
  skipped?: number;
  /** Key of the segment's trigram filter (grams.ts); absent: a text search reads the segment. */
  grams?: string;
}

export interface Manifest {
  v: 1;
  /** Bumped by every compaction. */
  seq: number;
  /** The last change-log key folded into the segments ("" when none). */
  watermark: string;
  updated_at: string;
  /** Newest first; `from` strictly decreasing, the last one "". */
  segments: SegmentInfo[];
}

export function parseManifest(raw: Uint8Array): Manifest | null {
  try {
    const m = JSON.parse(Buffer.from(raw).toString('utf8')) as Manifest;
    if (m?.v !== 1 || typeof m.seq !== 'number' || typeof m.watermark !== 'string' || !Array.isArray(m.segments)) return null;
    for (const s of m.segments) {
      if (typeof s?.key !== 'string' || typeof s.from !== 'string' || typeof s.count !== 'number' || typeof s.statuses !== 'object' || typeof s.providers !== 'object') return null;
    }
    return m;
  } catch {
    return null;
  }
}

/** The segment (index into `segments`) that covers run `id`: the first, newest first, whose `from` ≤ id. */
export function segmentFor(segments: SegmentInfo[], id: string): number {
  for (let i = 0; i < segments.length; i++) if ((segments[i] as SegmentInfo).from <= id) return i;
  return segments.length - 1;
}

export function segmentInfo(key: string, from: string, rows: Row[]): SegmentInfo {
  const statuses: Record<string, number> = {};
  const providers: Record<string, number> = {};
  let minId = '~';
  let maxId = '';
  let minC = '~';
  let maxC = '';
  for (const r of rows) {
    const s = STATUS_CODE[r.status];
    statuses[s] = (statuses[s] ?? 0) + 1;
    for (const p of r.providers) providers[PROVIDER_CODE[p]] = (providers[PROVIDER_CODE[p]] ?? 0) + 1;
    if (r.id < minId) minId = r.id;
    if (r.id > maxId) maxId = r.id;
    if (r.created_at < minC) minC = r.created_at;
    if (r.created_at > maxC) maxC = r.created_at;
  }
  return { key, from, count: rows.length, min_id: rows.length ? minId : '', max_id: maxId, min_created: rows.length ? minC : '', max_created: maxC, statuses, providers };
}

export function segmentBody(rows: Row[]): string {
  return `{"v":1,"rows":[\n${rows.map((r) => JSON.stringify(r)).join(',\n')}\n]}\n`;
}

/** The rows of a segment; null when the object is not a segment. Unreadable rows are counted. */
export function parseSegment(raw: Uint8Array): { rows: Row[]; bad: number } | null {
  let x: unknown;
  try {
    x = JSON.parse(Buffer.from(raw).toString('utf8'));
  } catch {
    return null;
  }
  const s = x as { v?: unknown; rows?: unknown };
  if (s?.v !== 1 || !Array.isArray(s.rows)) return null;
  const rows: Row[] = [];
  let bad = 0;
  for (const r of s.rows) {
    const row = checkRow(r);
    if (row) rows.push(row);
    else bad++;
  }
  return { rows, bad };
}
