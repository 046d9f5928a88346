// The run store: RunStore over any StorageBackend (layout in layout.ts, docs/STORAGE.md).
//
// save():   validate → create-only write of <id>.json → write the index entry. On a cloud backend a
//           failed write (after the SDK's own retries) sends the artifact to the local outbox and the
//           result says where and why; a local RUNS_DIR has no outbox (its errors are thrown).
// update(): validate → overwrite <id>.json → reconcile the run's index entries with the stored artifact.
// modify(): read <id>.json with its version → change → compare-and-swap write (If-Match / generation /
//           lock file) → reconcile the index. A lost race re-reads and re-applies the change; the change
//           itself decides whether it still applies (an approval of a run someone already rejected).
// list():   one LIST of .index/ from the cursor (or the `to` date), filters on the key, small reads.
// sync():   pushes outbox entries; removes one only after the remote write is confirmed.
import { DjpError, ListRunsQuery, RunArtifact, invalidFromZod, isDjpError, type RunPage, type RunSummary } from '../api/index.js';
import type { ListRunsQuery as ListRunsQueryInput } from '../api/index.js';
import { StorageError, type StorageBackend } from '../storage/backend.js';
import type { RunStore, SaveResult } from './types.js';
import type { VersionedObject } from '../storage/backend.js';
import {
  INDEX_PREFIX,
  ULID_RE,
  afterIdKey,
  afterTimeKey,
  artifactKey,
  decodeCursor,
  encodeCursor,
  indexIdPrefix,
  indexKey,
  parseIndexKey,
  type ParsedIndexKey,
} from './layout.js';
import { IndexEntry, SUMMARY_TASK_CHARS, fromIndexEntry, toIndexEntry } from './summary.js';
import { PROVIDER_IDS } from '../api/index.js';
import { silentLogger, type StoreLogger } from './logger.js';
import type { Outbox } from './outbox.js';
import type { AttachmentStore } from '../attachments/store.js';
import { LiveRuns, type LiveRecord } from './live.js';

/** How far a run's created_at may be from the time in its ULID id (ids are made when the run starts). */
export const ID_TIME_SLACK_MS = 60 * 60 * 1000;
/** LIST page sizes: an unfiltered page needs limit+1 keys; filtered scans start at 100 and grow. */
const FILTERED_FIRST_PAGE = 100;
const MAX_LIST_PAGE = 1000;
const READ_CONCURRENCY = 16;
/** Compare-and-swap rounds before modify() gives up on a run that keeps changing. */
const MODIFY_ATTEMPTS = 8;
/** Text/date scans read entries in larger batches: cloud reads are latency-bound. */
const SCAN_BATCH = 64;

export interface BackendRunStoreOptions {
  /** Local outbox for failed cloud writes; null (the default for local backends) disables it. */
  outbox?: Outbox | null;
  logger?: StoreLogger;
}

type Envelope = { artifact: RunArtifact; body: string };
type ParsedQuery = ReturnType<typeof ListRunsQuery.parse>;

function serialize(artifact: RunArtifact): string {
  return `${JSON.stringify(artifact, null, 2)}\n`;
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** StorageError → DjpError for callers of the RunStore. */
export function toDjpError(e: unknown, what: string): DjpError {
  if (e instanceof DjpError) return e;
  if (e instanceof StorageError) {
    switch (e.kind) {
      case 'not_found':
        return new DjpError('not_found', `${what}: not found`, undefined, { cause: e });
      case 'conflict':
        return new DjpError('conflict', `${what}: already exists`, undefined, { cause: e });
      case 'invalid_key':
      case 'invalid_location':
        return new DjpError('invalid', e.message, undefined, { cause: e });
      case 'access_denied':
      case 'unavailable':
        return new DjpError('unavailable', `${what}: ${e.message}`, undefined, { cause: e });
    }
  }
  return new DjpError('internal', `${what}: ${describe(e)}`, undefined, { cause: e });
}

function checkId(id: string): void {
  if (typeof id !== 'string' || !ULID_RE.test(id)) {
    throw new DjpError('invalid', `id: run id must be a 26-character ULID, got ${JSON.stringify(String(id).slice(0, 40))}`, 'id');
  }
}

function validate(artifact: unknown): RunArtifact {
  const r = RunArtifact.safeParse(artifact);
  if (!r.success) {
    const err = invalidFromZod(r.error.issues);
    throw new DjpError('invalid', `artifact is not a valid RunArtifact: ${err.message}`, err.field);
  }
  return r.data;
}

/** Inclusive [from, to] bounds in ms; a bare date means the whole UTC day. */
function bounds(q: { from?: string; to?: string }): { fromMs: number | null; toMs: number | null } {
  const parse = (s: string, end: boolean): number => {
    if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return Date.parse(`${s}T00:00:00.000Z`) + (end ? 86_400_000 - 1 : 0);
    return Date.parse(s);
  };
  return { fromMs: q.from ? parse(q.from, false) : null, toMs: q.to ? parse(q.to, true) : null };
}

/** Runs `fn` over `items` with at most `n` at a time, keeping the order of the results. */
export async function mapLimit<T, R>(items: T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

export class BackendRunStore implements RunStore {
  readonly kind: 'local' | 's3' | 'gcs';
  readonly location: string;
  private readonly outbox: Outbox | null;
  private readonly logger: StoreLogger;
  /** The attachments kept beside the artifacts (shared/attachments): their outbox is pushed by sync() too. */
  attachments: AttachmentStore | null = null;
  /** Accepted and in-progress runs (live.ts). */
  readonly live: LiveRuns;
  /** The last page listed per query, served (flagged) while the store is unreachable. */
  private readonly lastPages = new Map<string, RunSummary[]>();

  constructor(
    readonly backend: StorageBackend,
    opts: BackendRunStoreOptions = {},
  ) {
    this.kind = backend.kind;
    this.location = backend.location;
    this.outbox = opts.outbox ?? null;
    this.logger = opts.logger ?? silentLogger;
    this.live = new LiveRuns(backend, this.outbox?.dir ?? null, this.logger);
  }

  get outboxDir(): string | null {
    return this.outbox?.dir ?? null;
  }

  // --- writes -------------------------------------------------------------------------------------
  async save(input: RunArtifact): Promise<SaveResult> {
    const artifact = validate(input);
    const env: Envelope = { artifact, body: serialize(artifact) };
    try {
      // A conflict whose remote content is identical is our own write: an SDK retry after a lost
      // response (the first attempt landed, the retry met its precondition).
      await this.pushSaveOrSame(env);
    } catch (e) {
      return this.fallback('save', env, e);
    }
    return { location: this.backend.uri(artifactKey(artifact.id)), outbox: null };
  }

  async update(input: RunArtifact): Promise<SaveResult> {
    const artifact = validate(input);
    const env: Envelope = { artifact, body: serialize(artifact) };
    const pending = this.outbox ? await this.outbox.get(artifact.id) : null;
    if (!pending) {
      let exists: boolean;
      try {
        exists = await this.backend.exists(artifactKey(artifact.id));
      } catch (e) {
        return this.fallback('update', env, e);
      }
      if (!exists) throw new DjpError('not_found', `run ${artifact.id} not found in ${this.location}`, 'id');
    }
    try {
      // Also when a save of this run is still pending: the run is ours, so overwriting is safe.
      await this.pushUpdate(env);
    } catch (e) {
      return this.fallback('update', env, e);
    }
    if (pending) await this.outbox?.remove(artifact.id);
    return { location: this.backend.uri(artifactKey(artifact.id)), outbox: null };
  }

  async modify(id: string, change: (current: RunArtifact) => RunArtifact): Promise<{ artifact: RunArtifact; saved: SaveResult }> {
    checkId(id);
    const pending = this.outbox ? await this.outbox.get(id) : null;
    if (pending && pending.base_version === undefined) {
      // The run has not reached the store yet (its save is queued here): this process holds the only copy.
      const artifact = validate(change(pending.artifact));
      return { artifact, saved: await this.update(artifact) };
    }
    const key = artifactKey(id);
    for (let attempt = 0; attempt < MODIFY_ATTEMPTS; attempt++) {
      let stored: VersionedObject;
      try {
        stored = await this.backend.readVersioned(key);
      } catch (e) {
        if (e instanceof StorageError && e.kind === 'not_found') throw new DjpError('not_found', `run ${id} not found in ${this.location}`, 'id');
        throw toDjpError(e, `read run ${id} from ${this.location} (a change needs the stored version)`);
      }
      // A change queued here on top of the stored version stays the base as long as that version is current.
      const base = pending && pending.base_version === stored.version ? pending.artifact : this.parseArtifact(id, stored.data);
      const artifact = validate(change(base));
      const body = serialize(artifact);
      try {
        await this.backend.writeIfMatch(key, body, stored.version, { contentType: 'application/json' });
      } catch (e) {
        if (e instanceof StorageError && e.kind === 'conflict') {
          // Either another writer got there first (go round again on its version), or our own write
          // landed and a retry of it met the precondition (the stored body is ours: done).
          const now = await this.backend.read(key).catch(() => null);
          if (now && sameJson(Buffer.from(now).toString('utf8'), body)) {
            await this.reconcileIndex(id);
            return { artifact, saved: { location: this.backend.uri(key), outbox: null } };
          }
          continue;
        }
        const env: Envelope = { artifact, body };
        return { artifact, saved: await this.fallback('update', env, e, stored.version) };
      }
      // The queued change was the base of this one (and is now in the store): it is done.
      if (pending && base === pending.artifact) await this.outbox?.remove(id);
      try {
        await this.reconcileIndex(id);
      } catch (e) {
        // The artifact is stored; history repairs itself on the next change or `djp sync --reindex`.
        this.logger.warn({ run_id: id, err: describe(e) }, 'index update failed after a change; `djp sync --reindex` repairs it');
      }
      return { artifact, saved: { location: this.backend.uri(key), outbox: null } };
    }
    throw new DjpError('conflict', `run ${id} kept changing while this change was being applied (${MODIFY_ATTEMPTS} attempts); try again`, 'id');
  }

  /**
   * Create-only write of the artifact, then its index entry. When the artifact already exists with
   * identical content (an earlier attempt that reached the store), that counts as done; different
   * content is a conflict.
   */
  private async pushSaveOrSame(env: Envelope): Promise<void> {
    const key = artifactKey(env.artifact.id);
    try {
      await this.backend.create(key, env.body, { contentType: 'application/json' });
    } catch (e) {
      if (!(e instanceof StorageError && e.kind === 'conflict')) throw e;
      const remote = Buffer.from(await this.backend.read(key)).toString('utf8');
      if (!sameJson(remote, env.body)) {
        throw new DjpError('conflict', `run ${env.artifact.id} already exists in ${this.location} with different content`);
      }
    }
    await this.writeIndex(env.artifact);
  }

  private async pushUpdate(env: Envelope): Promise<void> {
    await this.backend.write(artifactKey(env.artifact.id), env.body, { contentType: 'application/json' });
    await this.reconcileIndex(env.artifact.id);
  }

  /** A queued modify(): compare-and-swap against the version it was computed from. */
  private async pushChange(env: Envelope, baseVersion: string): Promise<void> {
    const key = artifactKey(env.artifact.id);
    try {
      await this.backend.writeIfMatch(key, env.body, baseVersion, { contentType: 'application/json' });
    } catch (e) {
      if (!(e instanceof StorageError && e.kind === 'conflict')) throw e;
      const now = await this.backend.read(key);
      if (!sameJson(Buffer.from(now).toString('utf8'), env.body)) {
        throw new DjpError('conflict', `run ${env.artifact.id} was changed in ${this.location} by another writer since this change was queued; the queued change is kept in the outbox, not applied`);
      }
    }
    await this.reconcileIndex(env.artifact.id);
  }

  /**
   * Makes the run's index entries match the artifact AS STORED NOW: writes the entry for it and deletes
   * the run's other entries. Index keys are derived from the stored artifact, never from what this
   * writer meant to store, so a slower writer never deletes the entry of a newer version another
   * replica wrote; if the artifact changes while we work, we go round again on the new version.
   */
  private async reconcileIndex(id: string): Promise<void> {
    const key = artifactKey(id);
    for (let attempt = 0; attempt < MODIFY_ATTEMPTS; attempt++) {
      let before: VersionedObject;
      try {
        before = await this.backend.readVersioned(key);
      } catch (e) {
        if (e instanceof StorageError && e.kind === 'not_found') return; // deleted: delete() cleans up
        throw e;
      }
      const artifact = this.parseArtifact(id, before.data);
      const want = indexKey(artifact);
      await this.writeIndex(artifact);
      for (const k of await this.indexKeysOf(id)) if (k !== want) await this.backend.delete(k);
      const after = await this.backend.readVersioned(key).catch(() => null);
      if (!after || after.version === before.version) return;
    }
  }

  private async writeIndex(artifact: RunArtifact): Promise<void> {
    await this.backend.write(indexKey(artifact), JSON.stringify(toIndexEntry(artifact)), { contentType: 'application/json' });
  }

  private async indexKeysOf(id: string): Promise<string[]> {
    const page = await this.backend.list({ prefix: indexIdPrefix(id), limit: 100 });
    return page.keys;
  }

  private async fallback(op: 'save' | 'update', env: Envelope, e: unknown, baseVersion?: string): Promise<SaveResult> {
    const what = `${op} run ${env.artifact.id} to ${this.location}`;
    const retryable = e instanceof StorageError && (e.kind === 'unavailable' || e.kind === 'access_denied');
    const unknownFailure = !(e instanceof StorageError) && !(e instanceof DjpError);
    if (!this.outbox || !(retryable || unknownFailure)) throw toDjpError(e, what);
    const reason = `${what} failed: ${describe(e)}`;
    const path = await this.outbox.put(op, env.artifact, reason, baseVersion);
    this.logger.warn({ run_id: env.artifact.id, outbox: path, reason }, 'cloud store write failed; artifact kept in the local outbox');
    return { location: path, outbox: { path, reason } };
  }

  // --- reads --------------------------------------------------------------------------------------
  async load(id: string): Promise<RunArtifact> {
    checkId(id);
    const pending = this.outbox ? await this.outbox.get(id) : null;
    if (pending) return pending.artifact; // newer than (or absent from) the remote store
    let raw: Uint8Array;
    try {
      raw = await this.backend.read(artifactKey(id));
    } catch (e) {
      if (e instanceof StorageError && e.kind === 'not_found') {
        throw new DjpError('not_found', `run ${id} not found in ${this.location}`, 'id');
      }
      throw toDjpError(e, `read run ${id} from ${this.location}`);
    }
    return this.parseArtifact(id, raw);
  }

  private parseArtifact(id: string, raw: Uint8Array): RunArtifact {
    let data: unknown;
    try {
      data = JSON.parse(Buffer.from(raw).toString('utf8'));
    } catch (e) {
      throw new DjpError('internal', `run ${id} at ${this.backend.uri(artifactKey(id))} is not valid JSON: ${describe(e)}`);
    }
    const r = RunArtifact.safeParse(data);
    if (!r.success) {
      const err = invalidFromZod(r.error.issues);
      throw new DjpError('internal', `run ${id} at ${this.backend.uri(artifactKey(id))} does not match the artifact schema: ${err.message}`);
    }
    return r.data;
  }

  async delete(id: string): Promise<void> {
    checkId(id);
    let found = false;
    try {
      found = await this.backend.exists(artifactKey(id));
      const keys = await this.indexKeysOf(id);
      found ||= keys.length > 0;
      for (const key of keys) await this.backend.delete(key);
      await this.backend.delete(artifactKey(id));
    } catch (e) {
      throw toDjpError(e, `delete run ${id} from ${this.location}`);
    }
    if (this.outbox && (await this.outbox.get(id))) {
      await this.outbox.remove(id);
      found = true;
    }
    if (!found) throw new DjpError('not_found', `run ${id} not found in ${this.location}`, 'id');
  }

  async list(input: ListRunsQueryInput): Promise<RunPage> {
    const parsed = ListRunsQuery.safeParse(input ?? {});
    if (!parsed.success) throw invalidFromZod(parsed.error.issues);
    const query = parsed.data;
    const cacheKey = JSON.stringify(query);
    let page: RunPage;
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
    if (query.cursor) return page;
    // In-progress runs (from every replica) lead the first page.
    const live = await this.liveSummaries(query, page.runs, false).catch((e: unknown) => {
      this.logger.warn({ err: describe(e) }, 'history: live runs could not be listed');
      return [];
    });
    return live.length ? { ...page, runs: [...live, ...page.runs] } : page;
  }

  /** Summaries of live runs that match the query and have no artifact in `listed` (newest first). */
  private async liveSummaries(query: ParsedQuery, listed: RunSummary[], localOnly: boolean): Promise<RunSummary[]> {
    if (query.status || query.from || query.to) return []; // a live run has no status or finish yet
    const records = localOnly ? await this.live.listLocal() : await this.live.list();
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

    let startAfter = INDEX_PREFIX;
    const cursorId = query.cursor ? decodeCursor(query.cursor) : null;
    if (query.cursor) {
      if (!cursorId) throw new DjpError('invalid', 'cursor: not a cursor returned by this store', 'cursor');
      startAfter = afterIdKey(cursorId);
    }
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
      const ids = page.keys.filter((k) => /^[0-9A-HJKMNP-TV-Z]{26}\.json$/.test(k)).map((k) => k.slice(0, 26));
      await mapLimit(ids, READ_CONCURRENCY, async (id) => {
        try {
          const artifact = this.parseArtifact(id, await this.backend.read(artifactKey(id)));
          const keys = await this.indexKeysOf(id);
          if (!keys.includes(indexKey(artifact))) indexed++;
          await this.reconcileIndex(id);
        } catch (e) {
          skipped++;
          this.logger.warn({ run_id: id, err: describe(e) }, 'reindex: artifact skipped');
        }
      });
      token = page.nextPageToken;
    } while (token);
    return { indexed, skipped };
  }

  // --- outbox -------------------------------------------------------------------------------------
  async sync(): Promise<{ pushed: number; failed: number; remaining: number }> {
    const runs = await this.syncRuns();
    if (!this.attachments) return runs;
    const files = await this.attachments.sync();
    return { pushed: runs.pushed + files.pushed, failed: runs.failed + files.failed, remaining: runs.remaining + files.remaining };
  }

  private async syncRuns(): Promise<{ pushed: number; failed: number; remaining: number }> {
    if (!this.outbox) return { pushed: 0, failed: 0, remaining: 0 };
    let pushed = 0;
    let failed = 0;
    for (const entry of await this.outbox.entries()) {
      const env: Envelope = { artifact: entry.artifact, body: serialize(entry.artifact) };
      try {
        if (entry.op === 'save') await this.pushSaveOrSame(env);
        else if (entry.base_version !== undefined) await this.pushChange(env, entry.base_version);
        else await this.pushUpdate(env);
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

function sameJson(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
}
