// A batch in the run store, beside the runs (RUNS_DIR: local, S3 or GCS), so every worker of a
// sharded batch and every replica sees the same state:
//   batches/<id>/manifest.json              what the batch is (create-only: the first worker writes it)
//   batches/<id>/source.<csv|jsonl|txt>     the input as given, so `--resume ID` needs no file
//   batches/<id>/claims/<key>/<attempt>.json   create-only: exactly one worker runs a row's attempt
//   batches/<id>/finished/<state>.json      create-only: exactly one worker announces a finished state (finish.ts)
//   batches/<id>/results/<key>/<attempt>.json  how that attempt ended (run id, status, score, cost)
// The create-only claim is what keeps two racing workers from producing two runs of one attempt.
import * as z from 'zod';
import { RunRequest } from '../api/index.js';
import { StorageError, type StorageBackend } from '../storage/backend.js';
import { BATCH_FORMATS } from './source.js';

export const BATCH_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const BatchManifest = z.object({
  schema_version: z.literal(1),
  id: z.string().regex(BATCH_ID_PATTERN),
  created_at: z.string(),
  created_by: z.string(),
  source: z.object({ name: z.string(), format: z.enum(BATCH_FORMATS), sha256: z.string(), bytes: z.number().int(), rows: z.number().int() }),
  /** Run options applied to every row (the row supplies the task). */
  request: RunRequest.omit({ task: true }),
  template: z.object({ id: z.string(), version: z.number().int().nullable() }).nullable(),
  budget_usd: z.number().nullable(),
  run_budget_usd: z.number().nullable(),
  /** Row keys in file order (the shard split and the results order). */
  keys: z.array(z.string()),
});
export type BatchManifest = z.infer<typeof BatchManifest>;

/** A saved run's publish status (`none`: it finished with no usable draft), or how the row ended without one. */
export const ROW_STATUSES = ['published', 'advisory_only', 'pending_approval', 'none', 'failed', 'interrupted', 'not_started'] as const;
export type RowStatus = (typeof ROW_STATUSES)[number];
/** Statuses of a row whose run was saved and finished: resume skips it. */
export const DONE_STATUSES: readonly RowStatus[] = ['published', 'advisory_only', 'pending_approval'];

export const RowClaim = z.object({ key: z.string(), attempt: z.number().int().min(1), worker: z.string(), claimed_at: z.string(), run_id: z.string().nullable() });
export type RowClaim = z.infer<typeof RowClaim>;

export const RowResult = z.object({
  key: z.string(),
  row: z.number().int(),
  attempt: z.number().int().min(1),
  run_id: z.string().nullable(),
  status: z.enum(ROW_STATUSES),
  published_model: z.string().nullable(),
  score: z.number().nullable(),
  cost_usd: z.number().nullable(),
  error: z.string().nullable(),
  worker: z.string(),
  finished_at: z.string(),
});
export type RowResult = z.infer<typeof RowResult>;

/** What the store holds for one row: its newest attempt's claim and result, if any. */
export interface RowState {
  attempt: number;
  claimed: boolean;
  claim: RowClaim | null;
  result: RowResult | null;
}

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
const dec = new TextDecoder();

export class BatchStore {
  constructor(readonly backend: StorageBackend) {}

  private key(id: string, rest: string): string {
    if (!BATCH_ID_PATTERN.test(id)) throw new StorageError('invalid_key', `not a batch id: "${id}"`);
    return `batches/${id}/${rest}`;
  }

  /** Creates the manifest and source, or returns the existing manifest when another worker was first. */
  async createOrJoin(manifest: BatchManifest, source: string | Uint8Array): Promise<{ manifest: BatchManifest; created: boolean }> {
    const m = BatchManifest.parse(manifest);
    try {
      // Source first: a manifest always has its source next to it.
      await this.backend.write(this.key(m.id, `source.${m.source.format}`), source, { contentType: 'text/plain; charset=utf-8' });
      await this.backend.create(this.key(m.id, 'manifest.json'), json(m), { contentType: 'application/json' });
      return { manifest: m, created: true };
    } catch (e) {
      if (!(e instanceof StorageError && e.kind === 'conflict')) throw e;
      return { manifest: await this.manifest(m.id), created: false };
    }
  }

  async manifest(id: string): Promise<BatchManifest> {
    return BatchManifest.parse(JSON.parse(dec.decode(await this.backend.read(this.key(id, 'manifest.json')))));
  }

  async source(m: BatchManifest): Promise<string> {
    return dec.decode(await this.backend.read(this.key(m.id, `source.${m.source.format}`)));
  }

  /** Ids of the batches in the store, newest first when ids are ULIDs. */
  async list(limit = 100): Promise<string[]> {
    const ids = new Set<string>();
    let token: string | undefined;
    do {
      const page = await this.backend.list({ prefix: 'batches/', limit: 1000, ...(token ? { pageToken: token } : {}) });
      for (const k of page.keys) {
        const m = /^batches\/([^/]+)\/manifest\.json$/.exec(k);
        if (m?.[1]) ids.add(m[1]);
      }
      token = page.nextPageToken ?? undefined;
    } while (token);
    return [...ids].sort().reverse().slice(0, limit);
  }

  /** Takes a row's attempt; false when another worker already has it. */
  async claim(c: RowClaim, batchId: string): Promise<boolean> {
    try {
      await this.backend.create(this.key(batchId, `claims/${c.key}/${c.attempt}.json`), json(RowClaim.parse(c)), { contentType: 'application/json' });
      return true;
    } catch (e) {
      if (e instanceof StorageError && e.kind === 'conflict') return false;
      throw e;
    }
  }

  /** Writes the create-only marker of one finished state (shared/batch/finish.ts); false when another worker wrote it first. */
  async markFinished(batchId: string, state: string, body: { worker: string; at: string; rows: number; left: number }): Promise<boolean> {
    try {
      await this.backend.create(this.key(batchId, `finished/${state}.json`), json(body), { contentType: 'application/json' });
      return true;
    } catch (e) {
      if (e instanceof StorageError && e.kind === 'conflict') return false;
      throw e;
    }
  }

  /** Records the run id on a claim this worker holds (so a resume can find a run saved before a crash). */
  async updateClaim(c: RowClaim, batchId: string): Promise<void> {
    await this.backend.write(this.key(batchId, `claims/${c.key}/${c.attempt}.json`), json(RowClaim.parse(c)), { contentType: 'application/json' });
  }

  async writeResult(r: RowResult, batchId: string): Promise<void> {
    await this.backend.write(this.key(batchId, `results/${r.key}/${r.attempt}.json`), json(RowResult.parse(r)), { contentType: 'application/json' });
  }

  private async keysUnder(prefix: string): Promise<string[]> {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.backend.list({ prefix, limit: 1000, ...(token ? { pageToken: token } : {}) });
      out.push(...page.keys);
      token = page.nextPageToken ?? undefined;
    } while (token);
    return out;
  }

  /** Every row's newest attempt (claims and results of all workers), by row key. */
  async states(id: string): Promise<Map<string, RowState>> {
    const states = new Map<string, RowState>();
    const newest = (kind: 'claims' | 'results') => async () => {
      const latest = new Map<string, { attempt: number; key: string }>();
      for (const k of await this.keysUnder(this.key(id, `${kind}/`))) {
        const m = /\/([^/]+)\/(\d+)\.json$/.exec(k);
        if (!m?.[1]) continue;
        const attempt = Number(m[2]);
        const cur = latest.get(m[1]);
        if (!cur || attempt > cur.attempt) latest.set(m[1], { attempt, key: k });
      }
      return latest;
    };
    const [claims, results] = await Promise.all([newest('claims')(), newest('results')()]);
    for (const [rowKey, c] of claims) states.set(rowKey, { attempt: c.attempt, claimed: true, claim: null, result: null });
    // Read results (and claims without one) with bounded parallelism.
    const reads: Array<() => Promise<void>> = [];
    for (const [rowKey, r] of results) {
      reads.push(async () => {
        const st = states.get(rowKey) ?? { attempt: r.attempt, claimed: false, claim: null, result: null };
        if (r.attempt === st.attempt) st.result = RowResult.parse(JSON.parse(dec.decode(await this.backend.read(r.key))));
        states.set(rowKey, st);
      });
    }
    await pool(reads, 16);
    const claimReads: Array<() => Promise<void>> = [];
    for (const [rowKey, st] of states) {
      if (st.result || !st.claimed) continue;
      const c = claims.get(rowKey);
      if (c)
        claimReads.push(async () => {
          st.claim = RowClaim.parse(JSON.parse(dec.decode(await this.backend.read(c.key))));
        });
    }
    await pool(claimReads, 16);
    return states;
  }
}

export async function pool(tasks: Array<() => Promise<void>>, n: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, tasks.length) }, async () => {
      while (next < tasks.length) await tasks[next++]!();
    }),
  );
}
