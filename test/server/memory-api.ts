// A tiny in-memory DjpApi for routing-only tests (how HTTP maps onto the contract). The main server
// suite uses the real createDjpService; this one records exactly what the server passed in.
import {
  DjpError,
  type CallContext,
  type DjpApi,
  type ListRunsQuery,
  type RunEvent,
  type StartRunRequest,
} from '../../shared/api/index.js';
import type { DrainableApi } from '../../server/http/types.js';

export interface MemoryRun {
  id: string;
  request: StartRunRequest;
  identity: CallContext['identity'];
  events: RunEvent[];
  listeners: Set<(e: RunEvent) => void>;
  done: boolean;
  cancelled: boolean;
}

let counter = 0;
export function fakeUlid(): string {
  counter += 1;
  return ('01J' + String(Date.now()).padStart(13, '0') + String(counter).padStart(10, '0')).slice(0, 26).replace(/[ILOU]/g, '0');
}

export function createMemoryApi(opts: { stepMs?: number; deltas?: number } = {}): DrainableApi & { runs: Map<string, MemoryRun>; calls: string[] } {
  const runs = new Map<string, MemoryRun>();
  const calls: string[] = [];
  const stepMs = opts.stepMs ?? 5;

  function emit(run: MemoryRun, e: Record<string, unknown>): void {
    const ev = { ...e, run_id: run.id, seq: run.events.length, at: new Date().toISOString() } as RunEvent;
    run.events.push(ev);
    for (const l of run.listeners) l(ev);
    if (ev.type === 'run.done' || ev.type === 'run.error') {
      run.done = true;
      run.listeners.clear();
    }
  }

  async function play(run: MemoryRun): Promise<void> {
    const wait = () => new Promise((r) => setTimeout(r, stepMs));
    emit(run, { type: 'run.started', task: 'task' in run.request ? run.request.task : '', drafts: [{ draft_id: 'd1', provider: 'offline', model: 'offline-1' }], judge: { provider: 'offline', model: 'offline-1' }, projected_usd: null });
    emit(run, { type: 'draft.started', draft_id: 'd1' });
    for (let i = 0; i < (opts.deltas ?? 3); i++) {
      await wait();
      if (run.cancelled) break;
      emit(run, { type: 'draft.delta', draft_id: 'd1', text: `tok${i} ` });
    }
    await wait();
    emit(run, { type: 'run.done', status: 'advisory_only', artifact: `mem://${run.id}`, outbox: null });
  }

  const startRun: DjpApi['startRun'] = async (request, ctx) => {
    calls.push('startRun');
    const id = fakeUlid();
    const run: MemoryRun = { id, request, identity: ctx.identity, events: [], listeners: new Set(), done: false, cancelled: false };
    runs.set(id, run);
    void play(run);
    return { id };
  };

  // Only the operations routing tests use: a new table operation needs no method here (a route test
  // of one would get 500 "the service has no method" until it adds one).
  const api = {
    startRun,
    async subscribe(runId, listener, afterSeq) {
      const run = runs.get(runId);
      if (!run) throw new DjpError('not_found', `run ${runId} not found`);
      for (const e of run.events) if (afterSeq === undefined || e.seq > afterSeq) listener(e);
      if (!run.done) run.listeners.add(listener);
      return () => run.listeners.delete(listener);
    },
    async cancelRun(runId) {
      calls.push('cancelRun');
      const run = runs.get(runId);
      if (!run) throw new DjpError('not_found', `run ${runId} not found`);
      run.cancelled = true;
    },
    async getRun(runId) {
      const run = runs.get(runId);
      if (!run) throw new DjpError('not_found', `run ${runId} not found`);
      if (!run.done) throw new DjpError('conflict', `run ${runId} is still running`, 'id');
      return { id: run.id, task: 'task' in run.request ? run.request.task : '', provenance: { identity: run.identity } } as never;
    },
    async listRuns(query: ListRunsQuery) {
      calls.push(`listRuns ${JSON.stringify(query)}`);
      return { runs: [], next_cursor: null, skipped: 0 };
    },
    async deleteRun(runId) {
      if (!runs.delete(runId)) throw new DjpError('not_found', `run ${runId} not found`);
    },
    async approveRun(runId, decision) {
      calls.push(`approveRun ${JSON.stringify(decision)}`);
      if (!runs.has(runId)) throw new DjpError('not_found', `run ${runId} not found`);
      throw new DjpError('conflict', 'run is not pending approval');
    },
    async rejectRun(runId, decision) {
      calls.push(`rejectRun ${JSON.stringify(decision)}`);
      if (!runs.has(runId)) throw new DjpError('not_found', `run ${runId} not found`);
      throw new DjpError('conflict', 'run is not pending approval');
    },
    async replayRun(runId, ctx) {
      const old = runs.get(runId);
      if (!old) throw new DjpError('not_found', `run ${runId} not found`);
      return startRun(old.request, ctx);
    },
    async listProviders() {
      return [];
    },
    async listProviderModels(id) {
      calls.push(`listProviderModels ${id}`);
      if (id !== 'offline') throw new DjpError('invalid', `id: provider ${id} is not configured`, 'id');
      return { provider: 'offline', models: ['offline/alpha'], fetched_at: new Date(0).toISOString(), cached: false };
    },
    async projectCost() {
      calls.push('projectCost');
      return { currency: 'USD', calls: [], total_usd: 0, total_tokens: 0, unpriced_models: [], within_budget: true, budget_detail: null };
    },
    async info() {
      return { app_version: 'test', storage: { kind: 'local', location: 'mem' }, outbox_pending: 0, auth: 'none', surface: 'test' };
    },
    // Batches need a store: the routing tests only see that they are routed (test/server/batch-api.test.ts runs them for real).
    async createBatch() {
      calls.push('createBatch');
      throw new DjpError('unavailable', 'the memory API has no batches');
    },
    async listBatches() {
      calls.push('listBatches');
      return [];
    },
    async getBatch(batchId) {
      calls.push(`getBatch ${batchId}`);
      throw new DjpError('not_found', `batch ${batchId} not found`);
    },
    async getBatchResults(batchId) {
      calls.push(`getBatchResults ${batchId}`);
      throw new DjpError('not_found', `batch ${batchId} not found`);
    },
  } satisfies Partial<DjpApi>;
  return {
    ...(api as Partial<DjpApi> as DjpApi), // operations it does not implement are absent (tests of other operations)
    runs,
    calls,
    inFlight: () => [...runs.values()].filter((r) => !r.done).length,
    async drain(deadlineMs: number) {
      const until = Date.now() + deadlineMs;
      while ([...runs.values()].some((r) => !r.done) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    },
  };
}
