// Batches (shared/batch): created, listed, read and their results exported. One pool of run slots
// (DJP_BATCH_CONCURRENCY) shared by every batch of this process, loaded on first use.
import { BatchResultsQuery, DjpError, parseOrInvalid, type CallContext, type CreateBatchRequest } from '../../api/index.js';
import type { BatchManager } from '../../batch/manager.js';
import { defineModule } from './registry.js';

export const batchesModule = defineModule('batches', (ctx) => {
  const { env } = ctx;
  let batchManager: Promise<BatchManager> | null = null;
  const batches = (): Promise<BatchManager> =>
    (batchManager ??= import('../../batch/index.js').then((m) => {
      if (!ctx.storeBackend) throw new DjpError('unavailable', 'batches need a run store with a storage backend');
      const slots = Number(env.DJP_BATCH_CONCURRENCY ?? 4);
      if (!Number.isInteger(slots) || slots < 1 || slots > 64) throw new DjpError('invalid', `DJP_BATCH_CONCURRENCY must be a whole number from 1 to 64 (got "${env.DJP_BATCH_CONCURRENCY}")`, 'DJP_BATCH_CONCURRENCY');
      return m.createBatchManager({
        api: ctx.service(),
        store: new m.BatchStore(ctx.storeBackend),
        slots,
        worker: ctx.replica,
        onFinished: (b, by) => ctx.announce({ type: 'batch.finished', batch_id: b.id, name: b.name, rows: b.rows, counts: b.counts, spent_usd: b.spent_usd, complete: b.complete, by }),
      });
    }));
  // On drain, batches start no new rows (their runs in flight are drained with the others).
  ctx.onDrain(() => void batchManager?.then((m) => m.stop(), () => undefined));

  return {
    async createBatch(request: CreateBatchRequest, callCtx: CallContext) {
      return (await batches()).create(request, callCtx);
    },

    async listBatches() {
      return (await batches()).list();
    },

    async getBatch(batchId: string) {
      return (await batches()).get(batchId);
    },

    async getBatchResults(batchId: string, query?: BatchResultsQuery) {
      const q = parseOrInvalid(BatchResultsQuery, query ?? {});
      const text = await (await batches()).results(batchId, q.format);
      return { format: q.format, filename: `${batchId}-results.${q.format}`, content_type: q.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson', base64: Buffer.from(text, 'utf8').toString('base64') };
    },
  };
});
