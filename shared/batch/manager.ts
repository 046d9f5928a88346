// Batches inside a long-running process (the server, the desktop): created from an API request,
// validated and projected before anything is stored, then run in the background through the same
// runner as `djp batch`. All batches of the process share one pool of run slots
// (DJP_BATCH_CONCURRENCY, default 4), separate from interactive runs, so a large batch never takes the
// capacity a person starting a run in the UI needs.
import { BatchDetail, BatchInfo, CreateBatchRequest, DjpError, isDjpError, parseOrInvalid, type CallContext, type DjpApi } from '../api/index.js';
import { prepareBatch, rowsOfStoredBatch } from './index.js';
import { BatchBudgetError, projectBatch, runBatchRows } from './runner.js';
import { claimFinished } from './finish.js';
import { batchStatus, mergeResults, resultsCsv, resultsJsonl, type MergedRow } from './results.js';
import { BatchInputError, formatFromName, type BatchFormat } from './source.js';
import type { BatchManifest, BatchStore } from './store.js';
import { StorageError } from '../storage/backend.js';

export interface BatchManagerOptions {
  api: DjpApi;
  store: BatchStore;
  /** Batch runs at once in this process, across all batches (DJP_BATCH_CONCURRENCY, default 4). */
  slots?: number;
  /** Names this process in claims ("host:pid"). */
  worker: string;
  /** Called once a batch started here has worked through its rows (or stopped), with its merged status and who started it. */
  onFinished?: (batch: BatchInfo, by: string) => void;
}

export interface BatchManager {
  create(request: unknown, ctx: CallContext): Promise<BatchInfo>;
  list(): Promise<BatchInfo[]>;
  get(id: string): Promise<BatchDetail>;
  results(id: string, format: 'csv' | 'jsonl'): Promise<string>;
  /** Stops starting rows (SIGTERM); the service's drain saves runs in flight. */
  stop(): void;
  /** Resolves when no batch of this process is running (tests, shutdown). */
  idle(): Promise<void>;
}

/** A counting semaphore: acquire() resolves with a release function. */
export function createSlots(n: number): { acquire(): Promise<() => void> } {
  let free = Math.max(1, n);
  const waiting: Array<() => void> = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free++;
  };
  return {
    acquire: () =>
      new Promise((resolve) => {
        if (free > 0) {
          free--;
          resolve(release);
        } else waiting.push(() => resolve(release));
      }),
  };
}

function toDjp(e: unknown): unknown {
  if (e instanceof BatchInputError) return e; // a DjpError('invalid') naming its column
  if (e instanceof BatchBudgetError) return new DjpError('budget_exceeded', e.message, 'budget_usd');
  if (e instanceof StorageError && e.kind === 'not_found') return new DjpError('not_found', 'no such batch', 'id');
  if (e instanceof StorageError && e.kind === 'invalid_key') return new DjpError('not_found', 'no such batch', 'id');
  return e;
}

function info(m: BatchManifest, merged: MergedRow[] | null, projected: number | null, running: boolean, dryRun = false): BatchInfo {
  const st = merged ? batchStatus(m, merged) : { counts: { pending: m.keys.length }, spent_usd: 0, complete: false };
  return BatchInfo.parse({
    id: m.id,
    created_at: m.created_at,
    created_by: m.created_by,
    name: m.source.name,
    format: m.source.format,
    rows: m.source.rows,
    template: m.template,
    budget_usd: m.budget_usd,
    run_budget_usd: m.run_budget_usd,
    projected_usd: projected,
    counts: st.counts,
    spent_usd: st.spent_usd,
    complete: st.complete,
    running,
    dry_run: dryRun,
  });
}

export function createBatchManager(opts: BatchManagerOptions): BatchManager {
  const slots = createSlots(opts.slots ?? 4);
  const running = new Map<string, Promise<void>>();
  const projected = new Map<string, number | null>();
  const stopper = new AbortController();

  const merged = async (m: BatchManifest) => mergeResults(m, new Map(), await opts.store.states(m.id));

  return {
    async create(raw, ctx) {
      const parsed = { data: parseOrInvalid(CreateBatchRequest, raw) };
      const req = parsed.data;
      try {
        const format: BatchFormat = req.rows ? 'jsonl' : (req.format ?? (req.name ? formatFromName(req.name) : 'csv'));
        const source = req.rows ? `${req.rows.map((r) => JSON.stringify(r)).join('\n')}\n` : req.source!;
        const { manifest, rows } = prepareBatch(source, {
          name: req.name ?? `batch.${format}`,
          format,
          request: req.options ?? {},
          budget_usd: req.budget_usd ?? null,
          run_budget_usd: req.run_budget_usd ?? null,
          createdBy: ctx.identity.user,
          ...(req.template ? { template: { id: req.template.id, version: req.template.version ?? null } } : {}),
        });
        const plan = await projectBatch(opts.api, manifest, rows);
        if (req.dry_run) return info(manifest, null, plan.total_usd, false, true);
        await opts.store.createOrJoin(manifest, source);
        projected.set(manifest.id, plan.total_usd);
        const job = runBatchRows(opts.api, opts.store, manifest, plan.rows, ctx, {
          concurrency: req.concurrency ?? 4,
          worker: opts.worker,
          signal: stopper.signal,
          slots,
        })
          .then(
            () => undefined,
            () => undefined, // each row's failure is recorded on the row; nothing else can fail here
          )
          .then(async () => {
            if (!opts.onFinished) return;
            // The merged status of every worker's rows (a read failure only skips the announcement);
            // announced once per finished state, whichever worker finishes last (finish.ts).
            const final = await merged(manifest).catch(() => null);
            if (final && (await claimFinished(opts.store, manifest.id, final, opts.worker, { stopped: stopper.signal.aborted }))) {
              opts.onFinished(info(manifest, final, plan.total_usd, false), ctx.identity.user);
            }
          })
          .catch(() => undefined);
        running.set(manifest.id, job);
        void job.finally(() => running.delete(manifest.id));
        return info(manifest, null, plan.total_usd, true);
      } catch (e) {
        throw toDjp(e);
      }
    },

    async list() {
      const ids = await opts.store.list(100);
      const out: BatchInfo[] = [];
      for (const id of ids) {
        try {
          const m = await opts.store.manifest(id);
          out.push(info(m, await merged(m), projected.get(id) ?? null, running.has(id)));
        } catch (e) {
          if (!(e instanceof StorageError) && !(e instanceof Error && e.name === 'ZodError')) throw e;
        }
      }
      return out;
    },

    async get(id) {
      try {
        const m = await opts.store.manifest(id);
        const rows = await merged(m);
        // Row numbers from the stored source (results written by older workers carry them too).
        const numbers = new Map(rowsOfStoredBatch(m, await opts.store.source(m)).map((r) => [r.key, r.n]));
        const withNumbers = rows.map((r) => ({ ...r, row: numbers.get(r.key) ?? r.row }));
        return BatchDetail.parse({ ...info(m, rows, projected.get(id) ?? null, running.has(id)), row_results: withNumbers });
      } catch (e) {
        throw isDjpError(e) ? e : toDjp(e);
      }
    },

    async results(id, format) {
      const d = await this.get(id);
      return format === 'csv' ? resultsCsv(d.row_results) : resultsJsonl(d.row_results);
    },

    stop() {
      stopper.abort();
    },

    async idle() {
      while (running.size) await Promise.all([...running.values()]);
    },
  };
}
