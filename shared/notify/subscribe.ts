// Notifications wired to the service's run lifecycle (shared/api/lifecycle.ts), once for every surface
// (buildService: `djp serve`, the desktop app, `djp run`/`replay`/`batch`):
//   run.pending_approval                      → "waiting for approval" (DJP_NOTIFY_EVENTS default)
//   run.finished, status 'error' or 'none'    → "failed" (no artifact / no usable draft), when asked for
//   batch.finished                            → "batch finished", when asked for
// Each delivery is recorded on the run (artifact.notifications) through RunStore.modify — a
// compare-and-swap that re-applies the append on the version it finds, so it never overwrites an
// approval or rejection that raced it. A failed delivery is a `failed` record: the run itself is
// untouched and stays pending and approvable. The last result per channel is kept for GET /api/info.
// Nothing here throws into the service: the lifecycle listener only starts promises it tracks.
import type { LifecycleEvent, NotificationRecord, NotificationsInfo, RunArtifact } from '../api/index.js';
import { isDjpError } from '../api/index.js';
import { redactSecrets } from '../guardrails/redaction.js';
import { batchNotice, errorNotice } from './message.js';
import type { Notifier, NotifyChannel, NotifyResult } from './notifier.js';

export interface NotifyLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface RunNotificationsOptions {
  notifier: Notifier;
  /** Reads a finished run (the service's getRun: the store, or memory for a run kept only in the fallback folder). */
  getRun(runId: string): Promise<RunArtifact>;
  /** Changes the stored artifact with a compare-and-swap (RunStore.modify). */
  modify(runId: string, change: (current: RunArtifact) => RunArtifact): Promise<unknown>;
  logger?: NotifyLogger;
}

export interface RunNotifications {
  /** Follows a lifecycle stream; returns the function that stops following it. */
  attach(lifecycle: { subscribe(listener: (e: LifecycleEvent) => void): () => void }): () => void;
  /** Handles one lifecycle event (attach() calls it for every event). */
  handle(e: LifecycleEvent): void;
  /** Which channels are on and each one's last delivery, for GET /api/info (never a URL or password). */
  info(): NotificationsInfo;
  /** Deliveries (and their records) still under way. */
  pending(): number;
  /** Waits until every delivery started so far is delivered and recorded, at most `timeoutMs`; true when none is left. */
  settle(timeoutMs: number): Promise<boolean>;
}

export const toRecord = (r: NotifyResult): NotificationRecord => ({
  channel: r.channel,
  event: r.event,
  status: r.ok ? 'sent' : 'failed',
  attempts: r.attempts,
  at: r.at,
  ...(r.ok ? {} : { error: r.error }),
});

export function createRunNotifications(opts: RunNotificationsOptions): RunNotifications {
  const { notifier, logger } = opts;
  const last = new Map<NotifyChannel, NotificationsInfo['channels'][number]['last']>();
  const inflight = new Set<Promise<void>>();

  const track = (p: Promise<void>) => {
    const guarded = p.catch((e: unknown) => logger?.warn({ err: redactSecrets(e instanceof Error ? e.message : String(e)) }, 'notification failed unexpectedly'));
    inflight.add(guarded);
    void guarded.finally(() => inflight.delete(guarded));
  };

  const report = (results: NotifyResult[], about: { run_id: string | null; batch_id?: string }) => {
    for (const r of results) {
      last.set(r.channel, { ...toRecord(r), run_id: about.run_id, ...(about.batch_id ? { batch_id: about.batch_id } : {}) });
      const fields = { ...about, channel: r.channel, event: r.event, attempts: r.attempts };
      if (r.ok) logger?.info(fields, 'notification sent');
      else logger?.warn({ ...fields, err: r.error }, 'notification failed');
    }
  };

  /** Appends the records to the stored run; a decision that raced it is kept (modify re-reads on conflict). */
  const record = async (runId: string, results: NotifyResult[]) => {
    if (results.length === 0) return;
    const records = results.map(toRecord);
    try {
      await opts.modify(runId, (a) => ({ ...a, notifications: [...(a.notifications ?? []), ...records] }));
    } catch (e) {
      const why = redactSecrets(e instanceof Error ? e.message : String(e));
      logger?.warn({ run_id: runId, err: why }, isDjpError(e) && e.code === 'not_found' ? 'notification not recorded: the run is not in the store (fallback folder)' : 'notification not recorded on the run');
    }
  };

  const forRun = (runId: string, event: 'pending_approval' | 'failed') =>
    track(
      (async () => {
        const artifact = await opts.getRun(runId);
        const results = await notifier.notify(artifact, event);
        report(results, { run_id: runId });
        await record(runId, results);
      })(),
    );

  const publicUrl = notifier.config.publicUrl ?? '';

  return {
    attach: (lifecycle) => lifecycle.subscribe((e) => handle(e)),
    handle,
    info: () => ({
      events: [...notifier.config.events],
      channels: notifier.targets().map((t) => ({ ...t, last: last.get(t.channel) ?? null })),
    }),
    pending: () => inflight.size,
    async settle(timeoutMs) {
      const deadline = Date.now() + Math.max(0, timeoutMs);
      while (inflight.size > 0) {
        const left = deadline - Date.now();
        if (left <= 0) return false;
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([Promise.allSettled([...inflight]), new Promise((r) => (timer = setTimeout(r, left)))]);
        clearTimeout(timer);
      }
      return true;
    },
  };

  function handle(e: LifecycleEvent): void {
    if (e.type === 'run.pending_approval') {
      if (notifier.wants('pending_approval')) forRun(e.run_id, 'pending_approval');
    } else if (e.type === 'run.finished') {
      if (!notifier.wants('failed')) return;
      if (e.status === 'error') {
        // No artifact to record on: the message carries the (redacted) error, the status keeps the result.
        track(
          (async () => {
            const results = await notifier.send(errorNotice(e.run_id, e.error ?? 'the run failed', { publicUrl, redact: notifier.redact }));
            report(results, { run_id: e.run_id });
          })(),
        );
      } else if (e.status === 'none' && e.interrupted === null && e.location !== null) {
        forRun(e.run_id, 'failed');
      }
    } else if (e.type === 'batch.finished') {
      if (!notifier.wants('batch_finished')) return;
      track(
        (async () => {
          const results = await notifier.send(batchNotice({ id: e.batch_id, name: e.name, rows: e.rows, counts: e.counts, spent_usd: e.spent_usd, complete: e.complete }, { publicUrl, redact: notifier.redact }));
          report(results, { run_id: null, batch_id: e.batch_id });
        })(),
      );
    }
  }
}
