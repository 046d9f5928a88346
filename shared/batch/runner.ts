// Runs a worker's rows of a batch through DjpApi (the same service every transport uses), at most
// `concurrency` at once: each row's attempt is claimed create-only in the store first, so two workers
// never both run it; the result is written next to the claim. Costs: the whole batch is projected
// before the first call and checked against the batch budget; while it runs, no new row starts once
// what was spent plus the next row's projection would pass it.
import type { CallContext, DjpApi, RunArtifact, RunEvent, StartRunRequest } from '../api/index.js';
import { isDjpError } from '../api/index.js';
import { refName } from '../djp/publish.js';
import { templateVars, type PlannedRow } from './plan.js';
import { BatchInputError } from './source.js';
import { DONE_STATUSES, type BatchManifest, type BatchStore, type RowResult, type RowState, type RowStatus } from './store.js';

export interface BatchRunOptions {
  concurrency: number;
  /** Also run rows whose newest attempt failed. */
  retryFailed?: boolean;
  /** Names this worker in claims and results (host/pid, Cloud Run task…). */
  worker: string;
  /** Aborting stops new rows; runs in flight are cancelled and saved as interrupted. */
  signal?: AbortSignal;
  onProgress?: (p: BatchProgress) => void;
  /** A pool shared with other batches (a server's DJP_BATCH_CONCURRENCY): each row holds one slot while it runs. */
  slots?: { acquire(): Promise<() => void> };
}

export interface BatchProgress {
  total: number;
  /** Rows that finished in this worker (any status) or were already done before. */
  finished: number;
  failed: number;
  running: number;
  skipped: number;
  spent_usd: number;
  /** Projected cost of the rows not yet finished. */
  remaining_projected_usd: number | null;
  last: RowResult | null;
}

export interface BatchRowPlan extends PlannedRow {
  projected_usd: number | null;
}

export class BatchBudgetError extends Error {
  override readonly name = 'BatchBudgetError';
}

/** What the service is asked for one row: its task, or the batch's template with the row's variables. */
export function rowRequest(manifest: BatchManifest, row: PlannedRow): StartRunRequest {
  const budget = manifest.run_budget_usd !== null ? { budget_usd: manifest.run_budget_usd } : {};
  if (manifest.template) {
    const ref = { id: manifest.template.id, ...(manifest.template.version !== null ? { version: manifest.template.version } : {}), vars: templateVars(row.fields) };
    return { ...manifest.request, ...budget, template: ref } as StartRunRequest;
  }
  return { ...manifest.request, ...budget, task: row.task };
}

/**
 * Projects every row — which also checks each templated row's variables, before anything runs: an
 * invalid row is a BatchInputError naming the row and the variable (its column). Refuses the batch
 * when the total is over the budget (or cannot be priced).
 */
export async function projectBatch(api: DjpApi, manifest: BatchManifest, rows: PlannedRow[]): Promise<{ rows: BatchRowPlan[]; total_usd: number | null }> {
  const out: BatchRowPlan[] = [];
  let total: number | null = 0;
  for (const row of rows) {
    let p;
    try {
      p = await api.projectCost(rowRequest(manifest, row));
    } catch (e) {
      if (isDjpError(e) && e.code === 'invalid') {
        const column = e.field?.replace(/^(template\.)?vars\./, '') ?? null;
        throw new BatchInputError(e.message, row.n, column && column !== e.field ? column : null);
      }
      throw e;
    }
    out.push({ ...row, projected_usd: p.total_usd });
    total = total === null || p.total_usd === null ? null : total + p.total_usd;
  }
  if (manifest.budget_usd !== null) {
    if (total === null) throw new BatchBudgetError('budget_usd: the batch cannot be checked against a USD budget because a model is unpriced (add its price with DJP_PRICING_FILE)');
    if (total > manifest.budget_usd) throw new BatchBudgetError(`budget_usd: the batch is projected to cost up to $${total.toFixed(4)} for ${rows.length} row(s), over the budget of $${manifest.budget_usd}`);
  }
  return { rows: out, total_usd: total };
}

/** Waits for a run's run.done / run.error. */
function waitForRun(api: DjpApi, id: string): Promise<{ error: string | null }> {
  return new Promise((resolve, reject) => {
    let unsub: (() => void) | null = null;
    let settled = false;
    const finish = (v: { error: string | null }) => {
      if (settled) return;
      settled = true;
      unsub?.();
      resolve(v);
    };
    api
      .subscribe(id, (e: RunEvent) => {
        if (e.type === 'run.done') finish({ error: null });
        else if (e.type === 'run.error') finish({ error: e.message });
      })
      .then((u) => {
        unsub = u;
        if (settled) u();
      }, reject);
  });
}

export function resultFromArtifact(a: RunArtifact, base: { key: string; row: number; attempt: number; worker: string }): RowResult {
  const win = a.publish.draft_id ? a.drafts.find((d) => d.id === a.publish.draft_id) : undefined;
  const score = win ? (a.judge.scores.find((s) => s.draft_id === win.id)?.score ?? null) : null;
  const status: RowStatus = a.interrupted ? 'interrupted' : a.status;
  return {
    ...base,
    run_id: a.id,
    status,
    published_model: win && (a.status === 'published' || a.status === 'pending_approval') ? refName(win) : null,
    score,
    cost_usd: a.cost.total.usd,
    error: a.interrupted ?? null,
    finished_at: new Date().toISOString(),
  };
}

/** What to do with a row given what the store holds for it. */
export async function decide(api: DjpApi, store: BatchStore, manifest: BatchManifest, row: PlannedRow, st: RowState | undefined, opts: { retryFailed?: boolean; worker: string }): Promise<{ run: number } | { skip: RowResult }> {
  if (!st) return { run: 1 };
  if (st.result) {
    if ((DONE_STATUSES as readonly string[]).includes(st.result.status)) return { skip: st.result };
    if ((st.result.status === 'failed' || st.result.status === 'none') && !opts.retryFailed) return { skip: st.result };
    return { run: st.attempt + 1 };
  }
  // Claimed, no result: the worker died, or ended between saving the run and writing the result.
  if (st.claim?.run_id) {
    const a = await api.getRun(st.claim.run_id).catch(() => null);
    if (a && !a.interrupted) {
      const r = resultFromArtifact(a, { key: row.key, row: row.n, attempt: st.attempt, worker: opts.worker });
      await store.writeResult(r, manifest.id);
      return { skip: r };
    }
  }
  return { run: st.attempt + 1 };
}

export async function runBatchRows(api: DjpApi, store: BatchStore, manifest: BatchManifest, rows: BatchRowPlan[], ctx: CallContext, opts: BatchRunOptions): Promise<RowResult[]> {
  const states = await store.states(manifest.id);
  const results: RowResult[] = new Array(rows.length);
  const progress: BatchProgress = { total: rows.length, finished: 0, failed: 0, running: 0, skipped: 0, spent_usd: 0, remaining_projected_usd: null, last: null };
  let remaining: number | null = rows.reduce<number | null>((s, r) => (s === null || r.projected_usd === null ? null : s + r.projected_usd), 0);
  const inFlight = new Map<string, string>(); // run id → row key
  const report = (last: RowResult | null) => {
    progress.last = last;
    progress.remaining_projected_usd = remaining;
    opts.onProgress?.({ ...progress });
  };
  const onAbort = () => {
    for (const id of inFlight.keys()) void api.cancelRun(id, ctx).catch(() => undefined);
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  const finishRow = (i: number, r: RowResult, counted: 'finished' | 'skipped') => {
    results[i] = r;
    if (counted === 'skipped') progress.skipped++;
    progress.finished++;
    if (r.status === 'failed' || r.status === 'none') progress.failed++;
    if (r.cost_usd !== null && counted === 'finished') progress.spent_usd += r.cost_usd;
    const proj = rows[i]!.projected_usd;
    if (remaining !== null && proj !== null) remaining -= proj;
    report(r);
  };

  const notStarted = (i: number, attempt: number, why: string): RowResult => ({
    key: rows[i]!.key, row: rows[i]!.n, attempt, run_id: null, status: 'not_started', published_model: null, score: null, cost_usd: null, error: why, worker: opts.worker, finished_at: new Date().toISOString(),
  });

  const runRow = async (i: number): Promise<void> => {
    const row = rows[i]!;
    const d = await decide(api, store, manifest, row, states.get(row.key), opts);
    if ('skip' in d) return finishRow(i, d.skip, 'skipped');
    const attempt = d.run;
    if (opts.signal?.aborted) return finishRow(i, notStarted(i, attempt, 'batch stopped before this row started'), 'skipped');
    if (manifest.budget_usd !== null && progress.spent_usd + (row.projected_usd ?? 0) > manifest.budget_usd) {
      return finishRow(i, notStarted(i, attempt, `batch budget of $${manifest.budget_usd} reached ($${progress.spent_usd.toFixed(4)} spent)`), 'skipped');
    }
    // A slot of the process-wide pool (servers) before the claim, so a row waiting for one is not shown as running.
    const release = opts.slots ? await opts.slots.acquire() : () => undefined;
    if (opts.signal?.aborted) {
      release();
      return finishRow(i, notStarted(i, attempt, 'batch stopped before this row started'), 'skipped');
    }
    const claim = { key: row.key, attempt, worker: opts.worker, claimed_at: new Date().toISOString(), run_id: null as string | null };
    if (!(await store.claim(claim, manifest.id).catch((e: unknown) => (release(), Promise.reject(e))))) {
      // Another worker took this attempt at the same moment: it owns the row now.
      release();
      return finishRow(i, { ...notStarted(i, attempt, 'taken by another worker'), status: 'not_started' }, 'skipped');
    }
    progress.running++;
    report(null);
    const base = { key: row.key, row: row.n, attempt, worker: opts.worker };
    let result: RowResult;
    try {
      const { id } = await api.startRun(rowRequest(manifest, row), { ...ctx, batch: { id: manifest.id, row_key: row.key, attempt } });
      inFlight.set(id, row.key);
      await store.updateClaim({ ...claim, run_id: id }, manifest.id);
      if (opts.signal?.aborted) void api.cancelRun(id, ctx).catch(() => undefined);
      const end = await waitForRun(api, id);
      inFlight.delete(id);
      const a = await api.getRun(id).catch(() => null);
      result = a ? resultFromArtifact(a, base) : { ...base, run_id: id, status: 'failed', published_model: null, score: null, cost_usd: null, error: end.error ?? 'the run ended without a saved artifact', finished_at: new Date().toISOString() };
    } catch (e) {
      const msg = isDjpError(e) ? e.message : e instanceof Error ? e.message : String(e);
      result = { ...base, run_id: null, status: 'failed', published_model: null, score: null, cost_usd: null, error: msg, finished_at: new Date().toISOString() };
    }
    release();
    await store.writeResult(result, manifest.id);
    progress.running--;
    finishRow(i, result, 'finished');
  };

  let next = 0;
  const concurrency = Math.max(1, Math.min(16, opts.concurrency));
  try {
    await Promise.all(
      Array.from({ length: Math.min(concurrency, rows.length) }, async () => {
        while (next < rows.length) await runRow(next++);
      }),
    );
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
  return results;
}
