// Listing and search of the run store: RunStore.list() — history's pages, filters and text search,
// merged with the runs waiting in the outbox and the live runs of every replica, and served from the
// last pages seen while the store is unreachable. Reads only; writes live in writes.ts.
import { DjpError, ListRunsQuery, PROVIDER_IDS, invalidFromZod, isDjpError, type RunPage, type RunSummary } from '../api/index.js';
import type { ListRunsQuery as ListRunsQueryInput } from '../api/index.js';
import { StorageError, type StorageBackend } from '../storage/backend.js';
import { INDEX_PREFIX, afterIdKey, afterTimeKey, decodeCursor, encodeCursor, parseIndexKey, type ParsedIndexKey } from './layout.js';
import type { HistoryIndex } from './history/index.js';
import type { LiveRecord, LiveRuns } from './live.js';
import type { StoreLogger } from './logger.js';
import type { Outbox } from './outbox.js';
import { describe, mapLimit, toDjpError } from './store-common.js';
import { IndexEntry, SUMMARY_TASK_CHARS, fromIndexEntry, toIndexEntry } from './summary.js';

/** How far a run's created_at may be from the time in its ULID id (ids are made when the run starts). */
export const ID_TIME_SLACK_MS = 60 * 60 * 1000;
/** LIST page sizes: an unfiltered page needs limit+1 keys; filtered scans start at 100 and grow. */
const FILTERED_FIRST_PAGE = 100;
const MAX_LIST_PAGE = 1000;
const READ_CONCURRENCY = 16;
/** Text/date scans read entries in larger batches: cloud reads are latency-bound. */
const SCAN_BATCH = 64;

type ParsedQuery = ReturnType<typeof ListRunsQuery.parse>;

/** Inclusive [from, to] bounds in ms; a bare date means the whole UTC day. */
function bounds(q: { from?: string; to?: string }): { fromMs: number | null; toMs: number | null } {
  const parse = (s: string, end: boolean): number => {
    if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return Date.parse(`${s}T00:00:00.000Z`) + (end ? 86_400_000 - 1 : 0);
    return Date.parse(s);
  };
  return { fromMs: q.from ? parse(q.from, false) : null, toMs: q.to ? parse(q.to, true) : null };
}

export class RunListing {
  /** The last page listed per query, served (flagged) while the store is unreachable. */
  private readonly lastPages = new Map<string, RunSummary[]>();

  constructor(
    private readonly backend: StorageBackend,
    private readonly outbox: Outbox | null,
    private readonly live: LiveRuns,
    private readonly logger: StoreLogger,
    private readonly history: HistoryIndex | null,
  ) {}

  private get location(): string {
    return this.backend.location;
  }

  /** One page of history; served ahead of a background compaction's reads (history/sources.ts serve()). */
  list(input: ListRunsQueryInput): Promise<RunPage> {
    return this.history ? this.history.serve(() => this.listPage(input)) : this.listPage(input);
  }

  private async listPage(input: ListRunsQueryInput): Promise<RunPage> {
    const parsed = ListRunsQuery.safeParse(input ?? {});
    if (!parsed.success) throw invalidFromZod(parsed.error.issues);
    const query = parsed.data;
    const cacheKey = JSON.stringify(query);
    let page: RunPage;
    // In-progress runs (from every replica) lead the first page: their records are listed while the
    // stored runs are (one round trip less on a cloud store).
    const liveRecords = query.cursor || query.status || query.from || query.to ? null : this.live.list().catch((e: unknown) => {
      this.logger.warn({ err: describe(e) }, 'history: live runs could not be listed');
      return [] as LiveRecord[];
    });
    try {
      page = await this.listStored(query);
    } catch (e) {
      if (!(isDjpError(e) && e.code === 'unavailable')) throw e;
      // The store cannot be read: serve what this replica has, flagged (history during an outage).
      this.logger.warn({ err: describe(e) }, 'history: store unreachable; serving cached entries and the outbox');
      const cached = this.lastPages.get(cacheKey) ?? [];
      const queued = (await this.pendingEntries().catch(() => [])).filter((en) => this.matchesQuery(en, query));
      const queuedIds = new Set(queued.map((en) => en.id));
      const runs = [...cached.filter((r) => !queuedIds.has(r.id)), ...queued.map(fromIndexEntry)].sort((a, b) => (a.id < b.id ? 1 : -1));
      const live = query.cursor ? [] : await this.liveSummaries(query, runs, true).catch(() => []);
      return { runs: [...live, ...runs].slice(0, query.limit), next_cursor: null, skipped: 0, store_unreachable: true };
    }
    if (this.lastPages.size >= 50 && !this.lastPages.has(cacheKey)) this.lastPages.delete(this.lastPages.keys().next().value as string);
    this.lastPages.set(cacheKey, page.runs);
    if (!liveRecords) return page;
    const live = this.liveSummariesOf(query, await liveRecords, page.runs);
    return live.length ? { ...page, runs: [...live, ...page.runs] } : page;
  }

  /** Summaries of live runs that match the query and have no artifact in `listed` (newest first). */
  private async liveSummaries(query: ParsedQuery, listed: RunSummary[], localOnly: boolean): Promise<RunSummary[]> {
    if (query.status || query.from || query.to) return []; // a live run has no status or finish yet
    return this.liveSummariesOf(query, localOnly ? await this.live.listLocal() : await this.live.list(), listed);
  }

  private liveSummariesOf(query: ParsedQuery, records: LiveRecord[], listed: RunSummary[]): RunSummary[] {
    if (query.status || query.from || query.to) return [];
    const have = new Set(listed.map((r) => r.id));
    const needle = query.q?.trim().toLowerCase() || null;
    const now = Date.now();
    return records
      .filter((r) => !have.has(r.id))
      .filter((r) => !needle || r.task.toLowerCase().includes(needle))
      .map((r) => liveSummary(r, now))
      .filter((s) => !query.provider || s.providers.includes(query.provider));
  }

  private matchesQuery(entry: IndexEntry, query: ParsedQuery): boolean {
    const { fromMs, toMs } = bounds(query);
    const cursorId = query.cursor ? decodeCursor(query.cursor) : null;
    return (
      (!cursorId || entry.id < cursorId) &&
      (!query.status || entry.status === query.status) &&
      (!query.provider || entry.providers.includes(query.provider)) &&
      this.matches(entry, query.q?.trim().toLowerCase() || null, fromMs, toMs)
    );
  }

  private async listStored(query: ParsedQuery): Promise<RunPage> {
    const limit = query.limit;
    const needle = query.q?.trim().toLowerCase() || null;
    const { fromMs, toMs } = bounds(query);
    if (fromMs !== null && Number.isNaN(fromMs)) throw new DjpError('invalid', 'from: not a valid date', 'from');
    if (toMs !== null && Number.isNaN(toMs)) throw new DjpError('invalid', 'to: not a valid date', 'to');
    const cursorId = query.cursor ? decodeCursor(query.cursor) : null;
    if (query.cursor && !cursorId) throw new DjpError('invalid', 'cursor: not a cursor returned by this store', 'cursor');

    // The history index (segments + change log) answers once the store has a manifest; before that
    // (a new or small store, or one written by an older version) the per-run entries are scanned.
    let found: { runs: RunSummary[]; more: boolean; skipped: number } | null = null;
    if (this.history) {
      try {
        found = await this.history.query({ limit, before: cursorId, status: query.status ?? null, provider: query.provider ?? null, needle, fromMs, toMs });
      } catch (e) {
        throw toDjpError(e, `list runs in ${this.location}`);
      }
    }
    found ??= await this.scanEntries(query, needle, fromMs, toMs, cursorId);
    const { runs, skipped } = found;
    let { more } = found;
    // Runs waiting in the outbox (the cloud store failed when they finished) are listed too, in id
    // order; a pending copy replaces the remote one (an approval may be waiting to be pushed).
    const queued = await this.pendingEntries();
    const pending = queued.filter(
      (e) =>
        (!cursorId || e.id < cursorId) &&
        (!query.status || e.status === query.status) &&
        (!query.provider || e.providers.includes(query.provider)) &&
        this.matches(e, needle, fromMs, toMs),
    );
    if (queued.length > 0) {
      const pendingIds = new Set(queued.map((e) => e.id));
      let merged = [...runs.filter((r) => !pendingIds.has(r.id)), ...pending.map(fromIndexEntry)].sort((a, b) => (a.id < b.id ? 1 : -1));
      // With more remote runs to come, older pending runs belong to a later page.
      const floor = more ? runs[runs.length - 1]?.id : undefined;
      if (floor) merged = merged.filter((r) => r.id >= floor);
      more ||= merged.length > limit;
      runs.splice(0, runs.length, ...merged.slice(0, limit));
    }
    const last = runs[runs.length - 1];
    return { runs, next_cursor: more && last ? encodeCursor(last.id) : null, skipped };
  }

  /**
   * History from the per-run entries alone: one LIST of .index/ from the cursor (or the `to` date),
   * filters on the key, small reads of the candidates.
   */
  private async scanEntries(query: ParsedQuery, needle: string | null, fromMs: number | null, toMs: number | null, cursorId: string | null): Promise<{ runs: RunSummary[]; more: boolean; skipped: number }> {
    const limit = query.limit;
    let startAfter = cursorId ? afterIdKey(cursorId) : INDEX_PREFIX;
    if (toMs !== null) {
      const t = afterTimeKey(toMs + ID_TIME_SLACK_MS);
      if (t > startAfter) startAfter = t;
    }

    const runs: RunSummary[] = [];
    let skipped = 0;
    let more = false;
    let lastId: string | null = null;
    let token: string | null = null;
    const keyOnly = !needle && fromMs === null && toMs === null && !query.status && !query.provider;
    let pageSize = keyOnly ? limit + 1 : Math.max(limit + 1, FILTERED_FIRST_PAGE);
    scan: for (;;) {
      let page;
      try {
        page = await this.backend.list({
          prefix: INDEX_PREFIX,
          limit: pageSize,
          ...(token ? { pageToken: token } : { startAfter }),
        });
      } catch (e) {
        throw toDjpError(e, `list runs in ${this.location}`);
      }
      let stop = false;
      const candidates: ParsedIndexKey[] = [];
      for (const key of page.keys) {
        const k = parseIndexKey(key);
        if (!k) {
          skipped++;
          this.logger.warn({ key: this.backend.uri(key) }, 'history: unrecognised index key skipped');
          continue;
        }
        if (k.id === lastId) continue; // a stale duplicate left by an interrupted update
        lastId = k.id;
        if (fromMs !== null && k.idTime < fromMs - ID_TIME_SLACK_MS) {
          stop = true;
          break;
        }
        if (toMs !== null && k.idTime > toMs + ID_TIME_SLACK_MS) continue;
        if (query.status && k.status !== query.status) continue;
        if (query.provider && !k.providers.includes(query.provider)) continue;
        candidates.push(k);
      }
      // Read candidates in small parallel batches until the page is full.
      let i = 0;
      while (i < candidates.length) {
        const missing = limit - runs.length;
        if (missing <= 0) {
          more = true;
          break scan;
        }
        const scanning = needle !== null || fromMs !== null || toMs !== null;
        const batch = candidates.slice(i, i + (scanning ? Math.max(missing, SCAN_BATCH) : missing));
        i += batch.length;
        const entries = await mapLimit(batch, scanning ? 2 * READ_CONCURRENCY : READ_CONCURRENCY, (k) => this.readEntry(k));
        for (const entry of entries) {
          if (entry === 'gone') continue; // deleted while we listed
          if (!entry) {
            skipped++;
            continue;
          }
          if (!this.matches(entry, needle, fromMs, toMs)) continue;
          if (runs.length >= limit) {
            more = true;
            break scan;
          }
          runs.push(fromIndexEntry(entry));
        }
      }
      if (stop || !page.nextPageToken) break;
      if (runs.length >= limit) {
        more = true; // a full page: stop here rather than scan on just to learn whether more match
        break;
      }
      token = page.nextPageToken;
      pageSize = Math.min(MAX_LIST_PAGE, pageSize * 4);
    }
    return { runs, more, skipped };
  }

  /** Index entries of the runs waiting in the outbox (none for a local store). */
  private async pendingEntries(): Promise<IndexEntry[]> {
    if (!this.outbox) return [];
    return (await this.outbox.entries()).map((e) => toIndexEntry(e.artifact));
  }

  private matches(entry: IndexEntry, needle: string | null, fromMs: number | null, toMs: number | null): boolean {
    const created = Date.parse(entry.created_at);
    if (fromMs !== null && !(created >= fromMs)) return false;
    if (toMs !== null && !(created <= toMs)) return false;
    if (needle && !(entry.task_full ?? entry.task).toLowerCase().includes(needle)) return false;
    return true;
  }

  /** The entry; null when it fails to parse (warned); 'gone' when it was deleted meanwhile. */
  private async readEntry(k: ParsedIndexKey): Promise<IndexEntry | null | 'gone'> {
    let raw: Uint8Array;
    try {
      raw = await this.backend.read(k.key);
    } catch (e) {
      if (e instanceof StorageError && e.kind === 'not_found') return 'gone';
      throw toDjpError(e, `read ${this.backend.uri(k.key)}`);
    }
    try {
      const entry = IndexEntry.parse(JSON.parse(Buffer.from(raw).toString('utf8')));
      if (entry.id !== k.id) throw new Error(`entry names run ${entry.id}`);
      return entry;
    } catch (e) {
      this.logger.warn({ key: this.backend.uri(k.key), err: describe(e) }, 'history: index entry failed to parse; skipped');
      return null;
    }
  }

}

function liveSummary(r: LiveRecord, now: number): RunSummary {
  const providers = [...new Set(r.parameters.debaters.map((d) => d.provider))];
  return {
    id: r.id,
    created_at: r.created_at,
    task: r.task.slice(0, SUMMARY_TASK_CHARS),
    status: 'none',
    winner: null,
    providers: PROVIDER_IDS.filter((p) => providers.includes(p)),
    cost_usd: null,
    duration_ms: Math.max(0, now - Date.parse(r.created_at)),
    live: { state: 'running', replica: r.replica, heartbeat_at: r.heartbeat_at },
  };
}

