// The desktop app's DjpApi: the real core (createDjpService, surface 'desktop') over a run store in
// RUNS_DIR or <userData>/runs, with keys from the environment first, then the OS keychain.
// Plain Node: main.ts passes Electron's userData path; tests pass a temp dir.
import os from 'node:os';
import path from 'node:path';
import type { Identity } from '../shared/api/index.js';
import type { OutboxSyncHandle } from '../shared/artifacts/index.js';
import type { SecretSource } from '../shared/providers/registry.js';
import { buildService, notifierFromEnv } from '../shared/service/build.js';
import type { Notifier } from '../shared/notify/notifier.js';
import type { DjpService } from '../shared/service/index.js';

export type { Env } from '../shared/config/env.js';
import type { Env } from '../shared/config/env.js';

/** The OS user who runs the app (identity source 'local'). */
export function localIdentity(env: Env = process.env): Identity {
  let user = '';
  try {
    user = os.userInfo().username;
  } catch {
    // no passwd entry (some containers): fall back to the environment
  }
  return { user: user || env.USER || env.USERNAME || 'unknown', source: 'local' };
}

/** RUNS_DIR when set (a path, s3:// or gs://), else <userData>/runs. */
export function desktopRunsDir(env: Env, userDataDir: string): string {
  return env.RUNS_DIR?.trim() || path.join(userDataDir, 'runs');
}

export interface DesktopServiceOptions {
  userDataDir: string;
  env?: Env;
  secrets?: SecretSource;
}

export function createDesktopService(opts: DesktopServiceOptions): { service: DjpService; runsDir: string; outboxSync: OutboxSyncHandle | null } {
  const env = opts.env ?? process.env;
  const runsDir = desktopRunsDir(env, opts.userDataDir);
  // A cloud RUNS_DIR keeps failed writes in an outbox; keep it with the app's data, not the cwd.
  const outboxDir = env.DJP_OUTBOX_DIR?.trim() || path.join(opts.userDataDir, 'outbox');
  // Pushes outbox entries every minute (as `djp serve` does); a local RUNS_DIR has no outbox.
  // Notifies Slack/Teams/email of runs pending approval when DJP_NOTIFY_* is set (docs/NOTIFICATIONS.md).
  // A bad variable turns notifications off with a message naming it, rather than keeping the app from opening.
  let notifier: Notifier | null = null;
  try {
    notifier = notifierFromEnv(env);
  } catch (e) {
    process.stderr.write(`djp desktop: notifications are off: ${(e as Error).message}\n`);
  }
  const { service, outboxSync } = buildService({ env, runsDir, outboxDir, surface: 'desktop', notify: notifier ?? false, outboxSync: { everyMs: 60_000, remoteOnly: true }, ...(opts.secrets ? { secrets: opts.secrets } : {}) });
  return { service, runsDir, outboxSync };
}
