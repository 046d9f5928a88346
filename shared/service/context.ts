// What every service module shares (shared/service/modules/*): the options, the store, the
// providers' pricing and guardrail hooks, the lifecycle hub, this process's runs in memory, and the
// few helpers more than one module needs (loadRun, recordThread). Built once per createDjpService.
import type { Logger } from 'pino';
import { DjpError, EventHub, isDjpError, type CostProjection, type LifecycleEvent, type RunArtifact, type RunParameters } from '../api/index.js';
import { BackendRunStore } from '../artifacts/store.js';
import type { RunStore } from '../artifacts/types.js';
import { attachmentLimits, AttachmentStore } from '../attachments/index.js';
import { createCostMeter } from '../cost/meter.js';
import { loadPricing, type Pricing } from '../cost/pricing.js';
import { projectCost } from '../cost/projection.js';
import type { CostMeter, GuardrailHooks } from '../djp/hooks.js';
import type { Corpus } from '../guardrails/grounding/corpus.js';
import { createGuardrails } from '../guardrails/index.js';
import { redactSecrets } from '../guardrails/redaction.js';
import type { Env } from '../providers/registry.js';
import type { StorageBackend } from '../storage/backend.js';
import type { TemplateCatalog } from '../templates/index.js';
import { ThreadStore } from '../threads/index.js';
import { ActiveRun, FinishedRuns } from './active-runs.js';
import type { DjpService, DjpServiceOptions } from './index.js';
import { appVersion, findAppRoot, gitSha } from './provenance.js';
import { hostname } from 'node:os';

/** A lifecycle event before the service stamps `at` on it. */
export type LifecycleInput = LifecycleEvent extends infer E ? (E extends LifecycleEvent ? Omit<E, 'at'> : never) : never;

type Guardrails = (params: RunParameters, extra?: { corpus?: Corpus; rulesContent?: string | null }) => Promise<GuardrailHooks>;

export interface ServiceContext {
  readonly opts: DjpServiceOptions;
  readonly env: Env;
  readonly store: RunStore;
  /** The store's storage backend (templates, batches), when it has one. */
  readonly storeBackend: StorageBackend | null;
  readonly now: () => Date;
  readonly log: Logger | undefined;
  readonly version: string;
  readonly sha: string | null;
  readonly replica: string;
  /** How often a running run's live record is rewritten (ms). */
  readonly heartbeatMs: number;
  readonly project: (task: string, params: RunParameters) => CostProjection;
  readonly makeGuardrails: Guardrails;
  readonly makeCostMeter: (params: RunParameters, projection: CostProjection) => CostMeter;
  readonly lifecycle: EventHub<LifecycleEvent>;
  /** Publishes a lifecycle event stamped with the current time. */
  announce(e: LifecycleInput): void;
  /** Runs of this process still in memory (running, or finished but not saved to the store). */
  readonly active: Map<string, ActiveRun>;
  /** Where the live stream of each saved run ended (for resuming subscribers). */
  readonly finished: FinishedRuns;
  /** The template code (LiquidJS, YAML), loaded on first use: a run without a template never pays for it. */
  readonly templatesModule: () => Promise<typeof import('../templates/index.js')>;
  readonly templateCatalog: () => Promise<TemplateCatalog>;
  readonly threads: ThreadStore | null;
  readonly attachments: AttachmentStore | null;
  noThreads(): DjpError;
  noAttachments(): DjpError;
  /** A finished run: from the store (another replica may have decided it since), else memory; conflict while running. */
  loadRun(runId: string): Promise<RunArtifact>;
  /** Records runs in the thread index; a failed index write is logged, never thrown. */
  recordThread(runs: RunArtifact[], runId: string): Promise<void>;
  /** Called when drain() begins (e.g. batches stop starting rows). */
  onDrain(hook: () => void): void;
  readonly drainHooks: ReadonlyArray<() => void>;
  /** The assembled service (for modules that drive it, like batches); set by createDjpService. */
  service(): DjpService;
  bind(service: DjpService): void;
}

export function createServiceContext(opts: DjpServiceOptions): ServiceContext {
  const env = opts.env ?? process.env;
  const store = opts.store;
  const now = opts.now ?? (() => new Date());
  const log = opts.logger;
  const root = findAppRoot();
  let pricing: Pricing | null = null;
  const prices = () => (pricing ??= loadPricing(null, env));
  const lifecycle = new EventHub<LifecycleEvent>((e) => log?.warn({ err: e instanceof Error ? e.message : String(e) }, 'a lifecycle listener failed'));
  const storeBackend = (store as { backend?: StorageBackend }).backend ?? null;
  const templatesModule = () => import('../templates/index.js');
  let catalog: Promise<TemplateCatalog> | null = null;
  const threads = opts.threads !== undefined ? opts.threads : store instanceof BackendRunStore ? new ThreadStore(store.backend) : null;
  const attachments =
    opts.attachments !== undefined
      ? opts.attachments
      : store instanceof BackendRunStore
        ? (store.attachments ??= new AttachmentStore(store.backend, { outboxDir: store.outboxDir, limits: attachmentLimits(env) }))
        : null;
  const active = new Map<string, ActiveRun>();
  const drainHooks: Array<() => void> = [];
  let bound: DjpService | null = null;

  const ctx: ServiceContext = {
    opts,
    env,
    store,
    storeBackend,
    now,
    log,
    version: appVersion(root),
    sha: gitSha(env, root),
    replica: opts.replica ?? env.DJP_REPLICA_ID ?? `${hostname()}/${process.pid}`,
    heartbeatMs: opts.liveHeartbeatMs ?? (Number(env.DJP_LIVE_HEARTBEAT_MS) || 30_000),
    project: opts.projectCost ?? ((task, params) => projectCost(task, params, prices())),
    makeGuardrails: opts.makeGuardrails ?? ((params, extra) => createGuardrails(params, { ...(opts.surface === 'server' ? { allowedRoots: [] } : {}), ...extra })),
    makeCostMeter: opts.makeCostMeter ?? ((params, projection) => createCostMeter(params, projection, { pricing: prices() })),
    lifecycle,
    announce: (e) => lifecycle.publish({ ...e, at: now().toISOString() } as LifecycleEvent),
    active,
    finished: new FinishedRuns(),
    templatesModule,
    templateCatalog: () =>
      (catalog ??= opts.templates ? Promise.resolve(opts.templates) : templatesModule().then((m) => m.createTemplateCatalog({ backend: storeBackend, dir: env.DJP_TEMPLATES_DIR || null, now }))),
    threads,
    attachments,
    noThreads: () => new DjpError('unavailable', `threads are not available with this run store (${store.location})`),
    noAttachments: () => new DjpError('unavailable', `attachments are not available with this run store (${store.location})`, 'attachments'),

    // In-memory state is for live runs only: a finished run is read from the store, where another
    // replica may have decided it since. The memory copy serves only a run whose save never reached the
    // store (it went to the fallback folder).
    async loadRun(runId) {
      const a = active.get(runId);
      if (a && !a.finished) throw new DjpError('conflict', `run ${runId} is still running`, 'id');
      try {
        return await store.load(runId);
      } catch (e) {
        if (!(isDjpError(e) && e.code === 'not_found')) throw e;
        if (a?.artifact) return a.artifact;
        // Accepted, not finished: running on another replica (or waiting for recovery).
        const rec = await store.live.get(runId).catch(() => null);
        if (rec) throw new DjpError('conflict', `run ${runId} is still running (on replica ${rec.replica})`, 'id');
        throw e;
      }
    },

    // A failed index write never fails the run: its artifact (with its `thread`) is already saved.
    async recordThread(runs, runId) {
      if (!threads) return;
      try {
        await threads.record(runs);
      } catch (e) {
        log?.warn({ run_id: runId, err: redactSecrets((e as Error).message) }, 'thread index write failed; the artifact keeps its thread, the thread view misses this turn');
      }
    },

    onDrain: (hook) => void drainHooks.push(hook),
    drainHooks,
    service() {
      if (!bound) throw new Error('the service is still being assembled');
      return bound;
    },
    bind(service) {
      bound = service;
    },
  };
  return ctx;
}
