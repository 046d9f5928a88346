// The thread index: one small entry per run of a multi-turn thread, beside the artifacts in the run
// store's backend (local folder, S3 or GCS):
//
//   .threads/<thread id>/<run id>.json    ThreadEntry: the run's turn, parent, task and status
//
// A thread's view is one prefix LIST plus small reads; the artifacts stay the source of truth (each
// carries `thread`). A run that starts a thread
// gets its entry when its first follow-up is recorded, so a single run is not a thread here.
import * as z from 'zod';
import { DjpError, ListThreadsQuery, parseOrInvalid, type RunArtifact, type ThreadPage, type ThreadSummary, type ThreadTurn, type ThreadView } from '../api/index.js';
import type { ListThreadsQuery as ListThreadsQueryInput } from '../api/index.js';
import { ULID_RE } from '../artifacts/layout.js';
import { StorageError, type StorageBackend } from '../storage/backend.js';

export const THREADS_PREFIX = '.threads/';
const TASK_CHARS = 200;
const READS = 16;

export const ThreadEntry = z.object({
  v: z.literal(1),
  run_id: z.string(),
  thread_id: z.string(),
  parent_id: z.string().nullable(),
  turn: z.number().int().min(1),
  created_at: z.string(),
  task: z.string(),
  status: z.string(),
});
export type ThreadEntry = z.infer<typeof ThreadEntry>;

export function threadEntryKey(threadId: string, runId: string): string {
  return `${THREADS_PREFIX}${threadId}/${runId}.json`;
}

export function entryOf(a: RunArtifact): ThreadEntry {
  const t = a.thread ?? { id: a.id, parent_id: null, turn: 1 };
  return { v: 1, run_id: a.id, thread_id: t.id, parent_id: t.parent_id, turn: t.turn, created_at: a.created_at, task: a.task, status: a.status };
}

function checkThreadId(id: string): void {
  if (typeof id !== 'string' || !ULID_RE.test(id)) throw new DjpError('invalid', `id: a thread id is its first run's id (a 26-character ULID), got ${JSON.stringify(String(id).slice(0, 40))}`, 'id');
}

async function mapLimit<T, R>(items: T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

/** Branches: each path from the first turn to a leaf, by the leaves' creation order. */
export function branchesOf(turns: ThreadTurn[]): string[][] {
  const byId = new Map(turns.map((t) => [t.run_id, t]));
  const hasChild = new Set(turns.map((t) => t.parent_id).filter((p): p is string => p !== null));
  const leaves = turns.filter((t) => !hasChild.has(t.run_id)).sort((a, b) => (a.run_id < b.run_id ? -1 : 1));
  return leaves.map((leaf) => {
    const path: string[] = [];
    const seen = new Set<string>();
    for (let cur: ThreadTurn | undefined = leaf; cur && !seen.has(cur.run_id); cur = cur.parent_id ? byId.get(cur.parent_id) : undefined) {
      seen.add(cur.run_id);
      path.unshift(cur.run_id);
    }
    return path;
  });
}

export class ThreadStore {
  constructor(private readonly backend: StorageBackend) {}

  get location(): string {
    return this.backend.location;
  }

  /** Writes (or rewrites) the entries of these runs. */
  async record(artifacts: RunArtifact[]): Promise<void> {
    for (const a of artifacts) {
      const e = entryOf(a);
      await this.backend.write(threadEntryKey(e.thread_id, e.run_id), JSON.stringify(e), { contentType: 'application/json' });
    }
  }

  async remove(a: RunArtifact): Promise<void> {
    const e = entryOf(a);
    await this.backend.delete(threadEntryKey(e.thread_id, e.run_id));
  }

  private async entries(prefix: string): Promise<ThreadEntry[]> {
    const keys: string[] = [];
    let token: string | null = null;
    do {
      const page = await this.backend.list({ prefix, limit: 1000, ...(token ? { pageToken: token } : {}) });
      keys.push(...page.keys.filter((k) => k.endsWith('.json')));
      token = page.nextPageToken;
    } while (token);
    const read = await mapLimit(keys, READS, async (key) => {
      try {
        return ThreadEntry.parse(JSON.parse(Buffer.from(await this.backend.read(key)).toString('utf8')));
      } catch (e) {
        if (e instanceof StorageError && e.kind !== 'not_found') throw e;
        return null; // deleted meanwhile, or not an entry
      }
    });
    return read.filter((e): e is ThreadEntry => e !== null);
  }

  async view(threadId: string): Promise<ThreadView> {
    checkThreadId(threadId);
    const entries = await this.entries(`${THREADS_PREFIX}${threadId}/`);
    if (entries.length === 0) throw new DjpError('not_found', `thread ${threadId} not found in ${this.backend.location} (a thread has at least one follow-up)`, 'id');
    const turns: ThreadTurn[] = entries
      .sort((a, b) => (a.run_id < b.run_id ? -1 : 1))
      .map((e) => ({ run_id: e.run_id, parent_id: e.parent_id, turn: e.turn, created_at: e.created_at, task: e.task, status: e.status }));
    return { id: threadId, turns, branches: branchesOf(turns) };
  }

  /** Threads, newest activity first; `q` matches the task of any turn. */
  async list(input: ListThreadsQueryInput = {}): Promise<ThreadPage> {
    const { q, cursor, limit } = parseOrInvalid(ListThreadsQuery, input ?? {});
    const needle = q?.trim().toLowerCase() || null;
    const groups = new Map<string, ThreadEntry[]>();
    for (const e of await this.entries(THREADS_PREFIX)) {
      const g = groups.get(e.thread_id) ?? [];
      g.push(e);
      groups.set(e.thread_id, g);
    }
    const rows: Array<ThreadSummary & { last: string }> = [];
    for (const [id, g] of groups) {
      if (needle && !g.some((e) => e.task.toLowerCase().includes(needle))) continue;
      g.sort((a, b) => (a.run_id < b.run_id ? -1 : 1));
      const first = g.find((e) => e.run_id === id) ?? g[0]!;
      const last = g[g.length - 1]!;
      const turns = g.map((e) => ({ run_id: e.run_id, parent_id: e.parent_id, turn: e.turn, created_at: e.created_at, task: e.task, status: e.status }));
      rows.push({ id, created_at: first.created_at, updated_at: last.created_at, task: first.task.slice(0, TASK_CHARS), turns: g.length, branches: branchesOf(turns).length, last_status: last.status, last: last.run_id });
    }
    // Newest activity first; the cursor is "<last run id>:<thread id>" of the last row returned.
    rows.sort((a, b) => (a.last === b.last ? (a.id < b.id ? 1 : -1) : a.last < b.last ? 1 : -1));
    let start = 0;
    if (cursor) {
      const m = /^([0-9A-HJKMNP-TV-Z]{26}):([0-9A-HJKMNP-TV-Z]{26})$/.exec(cursor);
      if (!m) throw new DjpError('invalid', 'cursor: not a cursor returned by this store', 'cursor');
      const key = `${m[1]}:${m[2]}`;
      start = rows.findIndex((r) => `${r.last}:${r.id}` < key ? true : false);
      if (start < 0) start = rows.length;
    }
    const page = rows.slice(start, start + limit);
    const more = start + limit < rows.length;
    const lastRow = page[page.length - 1];
    return {
      threads: page.map(({ last: _l, ...r }) => r),
      next_cursor: more && lastRow ? `${lastRow.last}:${lastRow.id}` : null,
    };
  }
}
