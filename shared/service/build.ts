// The one place that builds the run store and the service around it: `djp serve`, the CLI
// commands and the desktop app all call buildService() with what differs for them (surface,
// logger, outbox folder, whether the outbox is pushed in the background, guardrail/cost hooks,
// whether runs notify Slack/Teams/email — shared/notify, wired here to the service's lifecycle).
import { DjpError } from '../api/index.js';
import { createRunStore, startOutboxSync, stderrLogger, type BackendRunStore, type OutboxSyncHandle, type StoreLogger } from '../artifacts/index.js';
import type { Env } from '../config/env.js';
import { createRedactor } from '../guardrails/redaction.js';
import { notifyConfigFromEnv, notifyConfigured, NotifyConfigError } from '../notify/config.js';
import { createNotifier, type Notifier, type NotifierOptions } from '../notify/notifier.js';
import { createRunNotifications, type RunNotifications } from '../notify/subscribe.js';
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
  /**
   * Notify Slack/Teams/email of runs pending approval (and, per DJP_NOTIFY_EVENTS, failed runs and
   * finished batches) from the DJP_NOTIFY_* / DJP_SMTP_URL variables; true, or notifier tuning (tests
   * shorten the backoff), or a ready Notifier. Absent or false: no notifications (one-shot commands
   * that start no run). A bad variable is an `invalid` DjpError naming it.
   */
  notify?: boolean | NotifierOptions | Notifier;
}

export interface BuiltService {
  store: BackendRunStore;
  service: DjpService;
  /** The background outbox push, when one was asked for (stop it on shutdown). */
  outboxSync: OutboxSyncHandle | null;
  /** The notifications following the service's lifecycle, when configured (`settle()` before a one-shot process exits). */
  notifications: RunNotifications | null;
}

const isNotifier = (n: unknown): n is Notifier => typeof n === 'object' && n !== null && typeof (n as Notifier).notify === 'function';

/** The notifier the environment asks for (null: no channel is set); a bad variable is an `invalid` error naming it. */
export function notifierFromEnv(env: Env, opts: NotifierOptions = {}): Notifier | null {
  if (!notifyConfigured(env)) return null;
  try {
    // Messages carry the task through the full redactor (secrets and personal data), whatever the run's own setting.
    const redactor = createRedactor({ enabled: true });
    return createNotifier(notifyConfigFromEnv(env), { redact: (t) => redactor.scrub(t), ...opts });
  } catch (e) {
    if (e instanceof NotifyConfigError) throw new DjpError('invalid', e.message, e.variable);
    throw e;
  }
}

export function buildService(opts: BuildServiceOptions): BuiltService {
  const { runsDir, outboxDir, storeLogger, outboxSync: sync, notify, ...serviceOptions } = opts;
  const env = opts.env ?? process.env;
  const logger = storeLogger ?? stderrLogger;
  const notifier = !notify ? null : isNotifier(notify) ? notify : notifierFromEnv(env, notify === true ? {} : notify);
  const store = createRunStore(runsDir ?? env['RUNS_DIR'], { env, ...(storeLogger ? { logger: storeLogger } : {}), ...(outboxDir ? { outboxDir } : {}) });
  let service: DjpService | null = null;
  const notifications = notifier
    ? createRunNotifications({
        notifier,
        getRun: (id) => service!.getRun(id),
        modify: (id, change) => store.modify(id, change),
        ...(serviceOptions.logger ? { logger: serviceOptions.logger } : {}),
      })
    : null;
  service = createDjpService({ ...serviceOptions, store, env, notifications });
  notifications?.attach(service.lifecycle);
  const outboxSync = sync && !(sync.remoteOnly && store.kind === 'local') ? startOutboxSync(store, sync.everyMs, logger) : null;
  return { store, service, outboxSync, notifications };
}
