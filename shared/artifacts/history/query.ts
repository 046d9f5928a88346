// A history query over the index: the manifest's segments plus the change log after its watermark.
// Segments are visited newest first and skipped from the manifest alone when they cannot hold a match
// (no row with the status or provider asked for, no date in range, all ids at or past the cursor), so
// a status filter with no match reads no segment and the first page reads only the newest one.
import type { ProviderId, PublishStatus, RunSummary } from '../../api/index.js';
import { PROVIDER_CODE, STATUS_CODE } from '../layout.js';
import type { Change, Manifest, Row, SegmentInfo } from './format.js';
import { summaryOf } from './format.js';
import type { HistorySources } from './sources.js';
import { mapLimit } from '../store-common.js';
import { mayContain } from './grams.js';

export interface HistoryQuery {
  limit: number;
  /** Only ids below this one (the cursor's last id). */
  before: string | null;
  status: PublishStatus | null;
  provider: ProviderId | null;
  /** Lowercased, trimmed text; null for none. */
  needle: string | null;
  fromMs: number | null;
  toMs: number | null;
}

export interface HistoryResult {
  runs: RunSummary[];
  more: boolean;
  skipped: number;
}

export function rowMatches(r: Row, q: HistoryQuery): boolean {
  if (q.before !== null && !(r.id < q.before)) return false;
  if (q.status && r.status !== q.status) return false;
  if (q.provider && !r.providers.includes(q.provider)) return false;
  if (q.fromMs !== null || q.toMs !== null) {
    const created = Date.parse(r.created_at);
    if (q.fromMs !== null && !(created >= q.fromMs)) return false;
    if (q.toMs !== null && !(created <= q.toMs)) return false;
  }
  if (q.needle && !r.text.includes(q.needle)) return false;
  return true;
}

/** False when the manifest alone shows the segment has no row the query can match. */
export function segmentMayMatch(s: SegmentInfo, q: HistoryQuery): boolean {
  if (s.count === 0) return false;
  if (q.before !== null && s.min_id >= q.before) return false;
  if (q.status && !s.statuses[STATUS_CODE[q.status]]) return false;
  if (q.provider && !s.providers[PROVIDER_CODE[q.provider]]) return false;
  if (q.fromMs !== null && Date.parse(s.max_created) < q.fromMs) return false;
  if (q.toMs !== null && Date.parse(s.min_created) > q.toMs) return false;
  return true;
}

/** The newest state of each run the changes touch: a row, or null for a deleted run. */
export function applyChanges(changes: Array<{ change: Change }>): Map<string, Row | null> {
  const out = new Map<string, Row | null>();
  for (const { change } of changes) {
    if (change.op === 'put') out.set(change.row.id, change.row);
    else out.set(change.id, null);
  }
  return out;
}

/** Segments read in parallel ahead of the one being filtered (cold cloud reads are latency-bound). */
const READ_AHEAD = 8;

export async function runQuery(src: HistorySources, manifest: Manifest, changes: Map<string, Row | null>, q: HistoryQuery): Promise<HistoryResult> {
  const want = q.limit + 1;
  const found: Row[] = [];
  for (const row of changes.values()) if (row && rowMatches(row, q)) found.push(row);
  let skipped = 0;
  const segs = manifest.segments;
  // Candidates, newest first: what the manifest cannot rule out, then (text search) the trigram filters.
  let candidates = segs.map((s, i) => ({ s, upper: i === 0 ? null : (segs[i - 1] as SegmentInfo).from })).filter(({ s }) => segmentMayMatch(s, q));
  if (q.needle && q.needle.length >= 3) {
    const needle = q.needle;
    const keep = await mapLimit(candidates, 32, async ({ s }) => {
      const g = await src.gramsOf(s);
      return !g || mayContain(g, needle);
    });
    candidates = candidates.filter((_, i) => keep[i]);
  }
  let pos = 0;
  while (pos < candidates.length) {
    // The first segment alone (a first page is usually full after it), then READ_AHEAD at a time.
    const window = candidates.slice(pos, pos + (pos === 0 ? 1 : READ_AHEAD));
    pos += window.length;
    const loaded = await Promise.all(window.map(({ s, upper }) => src.segmentRows(s, upper)));
    let done = false;
    for (let w = 0; w < window.length && !done; w++) {
      const { s } = window[w] as { s: SegmentInfo };
      const { rows, bad } = loaded[w] as { rows: Row[]; bad: number };
      skipped += bad + (s.skipped ?? 0);
      for (const r of rows) {
        if (changes.has(r.id) || !rowMatches(r, q)) continue;
        found.push(r);
      }
      // Older segments hold only ids below this one's `from`: once `want` matches rank above it, no
      // row of theirs can make the page.
      let above = 0;
      for (const r of found) if (r.id >= s.from) above++;
      if (above >= want) done = true;
    }
    if (done) break;
  }
  found.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  return { runs: found.slice(0, q.limit).map(summaryOf), more: found.length > q.limit, skipped };
}
