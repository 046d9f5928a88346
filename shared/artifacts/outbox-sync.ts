// Periodic outbox push for long-running processes (the server): every `intervalMs`, if the store has
// an outbox, push it. One sync at a time; failures are logged, never thrown.
import type { RunStore } from './types.js';
import type { StoreLogger } from './logger.js';

export interface OutboxSyncHandle {
  /** Runs one sync now (waits for one in progress). */
  runOnce(): Promise<{ pushed: number; failed: number; remaining: number } | null>;
  /** Stops the timer; waits for a sync in progress. */
  stop(): Promise<void>;
}

export function startOutboxSync(store: RunStore, intervalMs: number, logger: StoreLogger): OutboxSyncHandle {
  let running: Promise<{ pushed: number; failed: number; remaining: number } | null> | null = null;
  const runOnce = (): Promise<{ pushed: number; failed: number; remaining: number } | null> => {
    running ??= (async () => {
      try {
        const r = await store.sync();
        if (r.pushed || r.failed) logger.info({ ...r, store: store.location }, 'outbox sync');
        return r;
      } catch (e) {
        logger.warn({ store: store.location, err: e instanceof Error ? e.message : String(e) }, 'outbox sync failed');
        return null;
      } finally {
        running = null;
      }
    })();
    return running;
  };
  const timer = setInterval(() => void runOnce(), Math.max(10, intervalMs));
  timer.unref();
  return {
    runOnce,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
