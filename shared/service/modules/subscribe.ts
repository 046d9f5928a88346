// A run's events: replayed then streamed for a run of this process, synthesized from the stored
// artifact for a finished one, or followed by polling the store for a run another replica executes.
import { isDjpError, type RunArtifact, type RunEvent, type Unsubscribe } from '../../api/index.js';
import type { LiveRecord } from '../../artifacts/live.js';
import { synthesizeEvents } from '../active-runs.js';
import type { ServiceContext } from '../context.js';
import { defineModule } from './registry.js';

export const subscribeModule = defineModule('subscribe', (ctx) => {
  const { store } = ctx;
  return {
    async subscribe(runId: string, listener: (e: RunEvent) => void, afterSeq = -1): Promise<Unsubscribe> {
      const a = ctx.active.get(runId);
      if (a) return a.subscribe(listener, afterSeq);
      let artifact: RunArtifact;
      try {
        artifact = await store.load(runId);
      } catch (e) {
        if (!(isDjpError(e) && e.code === 'not_found')) throw e;
        const rec = await store.live.get(runId).catch(() => null);
        if (!rec) throw e;
        return follow(ctx, rec, listener, afterSeq);
      }
      for (const e of ctx.finished.replay(artifact, `${store.location}/${runId}.json`, afterSeq)) listener(e);
      return () => undefined;
    },
  };
});

/**
 * Follows a run another replica executes: its start from the live record at once, then, polling the
 * store, the rest of its events once its artifact is saved (or run.error if it ends without one).
 */
function follow(ctx: ServiceContext, rec: LiveRecord, listener: (e: RunEvent) => void, afterSeq: number): Unsubscribe {
  const { store, now } = ctx;
  const followPollMs = ctx.opts.followPollMs ?? 500;
  let stopped = false;
  let sent = afterSeq;
  const send = (e: RunEvent) => {
    if (stopped || e.seq <= sent) return;
    sent = e.seq;
    listener(e);
  };
  const debaters = rec.parameters.debaters.slice(0, 6);
  send({
    type: 'run.started',
    run_id: rec.id,
    seq: 0,
    at: rec.created_at,
    task: rec.task,
    drafts: debaters.map((m, i) => ({ draft_id: `d${i + 1}`, provider: m.provider, model: m.model })),
    judge: rec.parameters.judge,
    projected_usd: null,
  });
  let misses = 0;
  const poll = async (): Promise<void> => {
    while (!stopped) {
      await new Promise((r) => setTimeout(r, followPollMs));
      if (stopped) return;
      try {
        const artifact = await store.load(rec.id);
        for (const e of synthesizeEvents(artifact, `${store.location}/${rec.id}.json`)) send(e);
        stopped = true;
        return;
      } catch (e) {
        if (!(isDjpError(e) && e.code === 'not_found')) continue; // store hiccup: keep following
      }
      const still = await store.live.get(rec.id).catch(() => rec);
      if (still) {
        misses = 0;
        continue;
      }
      // The record is gone and no artifact (yet): look once more, then report the end.
      if (++misses < 2) continue;
      send({ type: 'run.error', run_id: rec.id, seq: Math.max(sent + 1, 1), at: now().toISOString(), message: `run ${rec.id} ended on replica ${rec.replica} without a saved artifact` });
      stopped = true;
    }
  };
  void poll();
  return () => {
    stopped = true;
  };
}
