// The one place that builds the run store and the service around it: `djp serve`, the CLI
// commands and the desktop app all call buildService() with what differs for them (surface,
// logger, outbox folder, whether the outbox is pushed in the background, guardrail/cost hooks).
import { createRunStore, startOutboxSync, stderrLogger, type BackendRunStore, type OutboxSyncHandle, type StoreLogger } from '../artifacts/index.js';
import type { Env } from '../config/env.js';
import { createDjpService, type DjpService, type DjpServiceOptions } from './index.js';

export interface BuildServiceOptions extends Omit<DjpServiceOptions, 'store' | 'env'> {
  env?: Env;
  /** Where runs are kept (a path, s3:// or gs://); default env.RUNS_DIR, else ./runs. */
  runsDir?: string;
  /** The local outbox folder for a cloud store; default DJP_OUTBOX_DIR, else .djp-outbox. */
  outboxDir?: string;
  /** The logger the store reports to (default: stderr). */
  storeLogger?: StoreLogger;
  /**
   * Pushes outbox entries in the background every `everyMs`; `remoteOnly` skips it for a local
   * store (which has no outbox). Absent: no background push (`djp sync` pushes on demand).
   */
  outboxSync?: { everyMs: number; remoteOnly?: boolean };
}

export interface BuiltService {
  store: BackendRunStore;
  service: DjpService;
  /** The background outbox push, when one was asked for (stop it on shutdown). */
  outboxSync: OutboxSyncHandle | null;
}

export function buildService(opts: BuildServiceOptions): BuiltService {
  const { runsDir, outboxDir, storeLogger, outboxSync: sync, ...serviceOptions } = opts;
  const env = opts.env ?? process.env;
  const logger = storeLogger ?? stderrLogger;
  const store = createRunStore(runsDir ?? env['RUNS_DIR'], { env, ...(storeLogger ? { logger: storeLogger } : {}), ...(outboxDir ? { outboxDir } : {}) });
  const service = createDjpService({ ...serviceOptions, store, env });
  const outboxSync = sync && !(sync.remoteOnly && store.kind === 'local') ? startOutboxSync(store, sync.everyMs, logger) : null;
  return { store, service, outboxSync };
}
