// createRunStore(runsDir?, opts?): the RunStore every caller (CLI, server, desktop) uses.
// RUNS_DIR picks the backend (shared/storage/index.ts); cloud stores get the local outbox
// (opts.outboxDir, else DJP_OUTBOX_DIR, else ./.djp-outbox); a local RUNS_DIR needs none.
import { getStorageBackend, type Env } from '../storage/index.js';
import { attachmentLimits } from '../attachments/limits.js';
import { AttachmentStore } from '../attachments/store.js';
import { Outbox, resolveOutboxDir } from './outbox.js';
import { BackendRunStore } from './store.js';
import { stderrLogger, type StoreLogger } from './logger.js';

export interface CreateRunStoreOptions {
  env?: Env;
  outboxDir?: string;
  logger?: StoreLogger;
}

export function createRunStore(runsDir?: string, opts: CreateRunStoreOptions = {}): BackendRunStore {
  const env = opts.env ?? process.env;
  const logger = opts.logger ?? stderrLogger;
  const backend = getStorageBackend(runsDir ?? env.RUNS_DIR, env);
  const outbox = backend.kind === 'local' ? null : new Outbox(resolveOutboxDir(opts.outboxDir, env), backend.location, logger);
  const store = new BackendRunStore(backend, { outbox, logger });
  store.attachments = new AttachmentStore(backend, { outboxDir: outbox?.dir ?? null, limits: attachmentLimits(env), logger });
  return store;
}

export { BackendRunStore, toDjpError, type BackendRunStoreOptions } from './store.js';
export { Outbox, OutboxEnvelope, DEFAULT_OUTBOX_DIR, resolveOutboxDir } from './outbox.js';
export { summarize, toIndexEntry, IndexEntry } from './summary.js';
export { startOutboxSync, type OutboxSyncHandle } from './outbox-sync.js';
export { LiveRuns, LiveRecord, LIVE_PREFIX, liveKey } from './live.js';
export { stderrLogger, silentLogger, type StoreLogger } from './logger.js';
export type { RunStore, SaveResult } from './types.js';
