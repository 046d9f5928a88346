// `djp serve [--port] [--host]`: the hosted web build. Builds the real store and service from the
// environment, verifies identities per DJP_AUTH, serves the API and the built UI, pushes the outbox
// periodically, and drains in-flight runs on SIGTERM/SIGINT before exiting 0.
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { loadDotEnv } from '../../shared/config/env.js';
import { createCostMeter } from '../../shared/cost/meter.js';
import { loadPricing } from '../../shared/cost/pricing.js';
import { projectCost } from '../../shared/cost/projection.js';
import { createGuardrails, redactSecrets } from '../../shared/guardrails/index.js';
import { createRedactor } from '../../shared/guardrails/redaction.js';
import { buildService } from '../../shared/service/build.js';
import { startPeriodicRecovery } from '../../shared/service/recover.js';
import { createQuotas } from '../../shared/quota/index.js';
import { isDjpError } from '../../shared/api/index.js';
import { checkBaseUrls } from '../../shared/providers/registry.js';
import { authFromEnv, AuthConfigError } from '../auth/index.js';
import { createLogger, createServer } from '../http/index.js';
import { serverSettings, SettingsError, type Env } from '../http/settings.js';
import { appVersion } from '../../shared/service/provenance.js';

/** Time allowed for the final outbox push on shutdown (kept short: platforms kill soon after SIGTERM). */
const FINAL_SYNC_MS = 1000;
/** Time allowed on shutdown for notifications still being delivered (and recorded on their runs). */
const FINAL_NOTIFY_MS = 3000;

export interface ServeFlags {
  port?: string;
  host?: string;
}

export interface RunningServe {
  url: string;
  /** Resolves with the exit code once the server has stopped. */
  stopped: Promise<number>;
  stop(): Promise<number>;
}

/** Starts everything; throws SettingsError / AuthConfigError on bad configuration. */
export async function startServe(flags: ServeFlags, env: Env = process.env): Promise<RunningServe> {
  const settings = serverSettings(env, flags);
  checkBaseUrls(env); // a base URL without a scheme fails here, naming the variable, not on every call
  // Log lines pass through the full redactor (secrets and personal data such as emails).
  const logRedactor = createRedactor({ enabled: true });
  const logger = createLogger({ level: settings.logLevel, redact: (text) => logRedactor.scrub(text), gcpProject: settings.gcpProject });
  const auth = authFromEnv(env, settings.host, { log: logger });
  const pricing = loadPricing(null, env);
  // Over HTTP, server-side paths (grounded_corpus, redaction_rules) must be inside DJP_SERVER_DATA_DIR.
  const allowedRoots = settings.dataDir ? [settings.dataDir] : [];
  // One set of counters for the process: the service admits runs, the server event streams.
  const quotas = createQuotas(settings.quotas);
  const { store, service: api, outboxSync, notifications } = buildService({
    quotas,
    // Slack/Teams/email on runs pending approval (DJP_NOTIFY_*; docs/NOTIFICATIONS.md); a bad variable exits 2 naming it.
    notify: true,
    env,
    storeLogger: logger,
    outboxSync: { everyMs: settings.outboxSyncMs },
    surface: 'server',
    // Unique per live process; stable across restarts when the port is fixed, so a restarted server
    // finds the runs it had accepted before a crash (recover() below).
    replica: env['DJP_REPLICA_ID'] || (settings.port !== 0 ? `${hostname()}:${settings.port}` : `${hostname()}/${process.pid}`),
    logger,
    auth: auth.mode,
    makeGuardrails: (params, extra) => createGuardrails(params, { allowedRoots, ...extra, rulesContent: extra?.rulesContent ?? null }), // extra: a run's attachments as its corpus, stored rules
    makeCostMeter: (params, projection) => createCostMeter(params, projection, { pricing }),
    projectCost: (task, params) => projectCost(task, params, pricing),
  });
  const outbox = outboxSync!; // asked for above: always started for the server
  const server = createServer({
    api,
    quotas,
    auth,
    logger,
    staticDir: settings.staticDir,
    ready: () => store.ping(),
    maxBodyBytes: settings.maxBodyBytes,
    corsOrigins: settings.corsOrigins,
    heartbeatMs: settings.heartbeatMs,
    dataDir: settings.dataDir,
    env,
    version: appVersion(),
  });
  // Accepted runs this replica (before a crash) or a dead one left unfinished become interrupted
  // artifacts, so they are visible rather than 404. In the background: the store may be slow or down.
  void api.recover().then(
    (r) => {
      if (r.interrupted.length || r.cleaned.length || r.failed.length) logger.warn({ replica: api.replica, interrupted: r.interrupted, cleaned: r.cleaned.length, failed: r.failed }, 'recovered unfinished runs');
    },
    (e: unknown) => logger.warn({ err: e }, 'recovery of unfinished runs failed; `djp sync --recover` retries it'),
  );
  // …and again every few heartbeats (DJP_RECOVER_EVERY_MS, default 3 heartbeats): a replica that died
  // while the others kept running is recovered by one of them (a compare-and-swap on each record).
  const recovery = startPeriodicRecovery(
    () => api.recover({ own: false }),
    Number(env['DJP_RECOVER_EVERY_MS']) || 3 * (Number(env['DJP_LIVE_HEARTBEAT_MS']) || 30_000),
    (r) => {
      if (r instanceof Error) logger.warn({ err: r.message }, 'periodic recovery of unfinished runs failed; retried next round');
      else if (r.interrupted.length || r.failed.length) logger.warn({ replica: api.replica, interrupted: r.interrupted, failed: r.failed }, 'recovered runs of a stopped replica');
    },
  );
  const addr = await server.listen(settings.port, settings.host);
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${host}:${addr.port}`;
  logger.info({ url, auth: auth.mode, storage: `${store.kind}:${store.location}`, version: appVersion(), notify: notifications?.info().channels.map((c) => c.channel) ?? [] }, 'listening');

  let stopping: Promise<number> | null = null;
  let resolveStopped!: (code: number) => void;
  const stopped = new Promise<number>((r) => (resolveStopped = r));
  const stop = (): Promise<number> =>
    (stopping ??= (async () => {
      let code = 0;
      try {
        await recovery.stop();
        await server.shutdown(settings.shutdownDeadlineMs);
        // Runs that ended during the drain may still be notifying: a short wait, so the message goes out and is recorded.
        if (notifications && !(await notifications.settle(FINAL_NOTIFY_MS))) logger.warn({ pending: notifications.pending() }, 'notifications still being retried at shutdown; not waiting longer');
        // One last push of the outbox (artifacts whose cloud write failed), briefly: a container's
        // local disk does not outlive it.
        const pending = await store.outboxCount().catch(() => 0);
        const finalSync = pending > 0 ? outbox.runOnce() : Promise.resolve(null);
        await Promise.race([finalSync.then(() => outbox.stop()), new Promise((r) => setTimeout(r, FINAL_SYNC_MS).unref())]);
        logger.info({}, 'stopped');
      } catch (e) {
        code = 1;
        logger.error({ err: e }, 'shutdown failed');
      }
      await new Promise<void>((r) => logger.flush(() => r()));
      resolveStopped(code);
      return code;
    })());
  return { url, stopped, stop };
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('Start the web app and HTTP API (PORT, HOST, DJP_AUTH …; see docs/DEPLOYMENT.md)')
    .option('--port <port>', 'port to listen on (default: PORT or 8080; 0 = any free port)')
    .option('--host <host>', 'address to listen on (default: HOST or 127.0.0.1)')
    .action(async (flags: ServeFlags) => {
      loadDotEnv();
      let running: RunningServe;
      try {
        running = await startServe(flags);
      } catch (e) {
        if (e instanceof SettingsError || e instanceof AuthConfigError || (isDjpError(e) && e.code === 'invalid')) {
          process.stderr.write(`djp serve: ${e.message}\n`);
          process.exit(2);
        }
        const err = e as NodeJS.ErrnoException;
        if (err.code === 'EADDRINUSE' || err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL') {
          process.stderr.write(`djp serve: cannot listen: ${redactSecrets(err.message)}\n`);
          process.exit(2);
        }
        throw e;
      }
      process.stderr.write(`djp serve: listening on ${running.url}\n`);
      let signals = 0;
      const onSignal = (sig: NodeJS.Signals) => {
        signals += 1;
        if (signals > 1) {
          process.stderr.write(`djp serve: ${sig} again, exiting now\n`);
          process.exit(1);
        }
        process.stderr.write(`djp serve: ${sig}, draining in-flight runs\n`);
        void running.stop();
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
      process.exitCode = await running.stopped;
      process.exit(process.exitCode);
    });
}
