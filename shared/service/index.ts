// createDjpService: the one DjpApi implementation every transport carries (CLI, HTTP server,
// desktop IPC). Runs execute in the background in this process; events are buffered per run so
// subscribe() can replay then stream; finished runs are read back from the RunStore.
import type { Logger } from 'pino';
import {
  DEFAULT_PARAMETERS,
  Decision,
  DjpError,
  EventHub,
  invalidFromZod,
  isDjpError,
  ListRunsQuery,
  RejectDecision,
  RunRequest,
  type CallContext,
  type CostProjection,
  type DjpApi,
  type LifecycleEvent,
  type ProviderStatus,
  type RunArtifact,
  type RunEvent,
  type RunPage,
  type RunParameters,
  type ServiceInfo,
  type StartedRun,
  type ListTemplatesQuery,
  GetTemplateQuery,
  type ExportQuery,
  type ExportedFile,
  type TemplateDocument,
  type TemplateList,
  type TemplatePreview,
  type TemplateRecord,
  type TemplateRef,
  type ThreadPage,
  type ThreadView,
  type Unsubscribe,
  type ListThreadsQuery,
  OPERATIONS,
  parseArg,
  BatchResultsQuery,
  type BatchDetail,
  type BatchInfo,
  type BatchResultsFile,
  type CreateBatchRequest,
  type NotificationsInfo,
} from '../api/index.js';
import type { BatchManager } from '../batch/manager.js';
import { newRunId } from '../artifacts/ids.js';
import { BackendRunStore } from '../artifacts/store.js';
import type { RunStore, SaveResult } from '../artifacts/types.js';
import { resolveFollowUp, threadMarkdown, ThreadStore, type ResolvedFollowUp } from '../threads/index.js';
import { attachmentLimits, AttachmentStore, loadRunAttachments, type RunAttachments } from '../attachments/index.js';
import type { Corpus } from '../guardrails/grounding/corpus.js';
import { requestFromParameters, resolveRunParams } from '../config/params.js';
import { inlinePolicy, loadPolicy } from '../config/policy.js';
import { replayNotes } from '../djp/replay.js';
import { createCostMeter } from '../cost/meter.js';
import { loadPricing, type Pricing } from '../cost/pricing.js';
import { budgetField, projectCost } from '../cost/projection.js';
import type { CostMeter, GuardrailHooks } from '../djp/hooks.js';
import { createGuardrails } from '../guardrails/index.js';
import { runPipeline } from '../djp/pipeline.js';
import { refName } from '../djp/publish.js';
import { nextTurn } from '../djp/turns.js';
import { redactSecrets } from '../providers/errors.js';
import { loadProviderRegistry, type Env, type SecretSource } from '../providers/registry.js';
import { quotaKey, type Quotas } from '../quota/index.js';
import type { RetryOptions } from '../providers/retry.js';
import type { StorageBackend } from '../storage/backend.js';
import { ActiveRun, FinishedRuns, synthesizeEvents } from './active-runs.js';
import { appVersion, findAppRoot, gitSha, runtimeInfo } from './provenance.js';
import type { TemplateCatalog } from '../templates/index.js';
import { dropAccepted, keepAccepted, keepUnsaved } from './unsaved.js';
import { recoverLiveRuns, type RecoverResult } from './recover.js';
import type { LiveRecord } from '../artifacts/live.js';
import { hostname } from 'node:os';

export type Surface = 'cli' | 'server' | 'desktop' | 'test';

export interface DjpServiceOptions {
  store: RunStore;
  env?: Env;
  surface: Surface;
  secrets?: SecretSource;
  /** Guardrails for one run; default: shared/guardrails createGuardrails (on the server surface
   *  with no readable folders: grounded_corpus/redaction_rules paths are refused). */
  makeGuardrails?: (params: RunParameters, extra?: { corpus?: Corpus; rulesContent?: string | null }) => Promise<GuardrailHooks>;
  /** Cost meter for one run; default: shared/cost createCostMeter with the pricing table. */
  makeCostMeter?: (params: RunParameters, projection: CostProjection) => CostMeter;
  /** Pre-run projection; default: shared/cost projectCost with the pricing table (built-in +
   *  DJP_PRICING_FILE from `env`, loaded on first use). */
  projectCost?: (task: string, params: RunParameters) => CostProjection;
  logger?: Logger;
  now?: () => Date;
  /** What info() reports as the auth mode (the server sets it). */
  auth?: string;
  /**
   * How long a finished run that could not be saved to the store (run.error, or an artifact only in
   * the fallback folder) stays in memory for late subscribers (ms). A saved run is dropped from
   * memory at once: later reads and event replays come from the store.
   */
  retainMs?: number;
  /** Per-identity and per-process limits on runs (the server sets them from DJP_* variables). */
  quotas?: Quotas;
  /** Retry tuning (tests shorten backoff). */
  retry?: Partial<Omit<RetryOptions, 'signal' | 'onAttempt' | 'totalTimeoutMs'>>;
  /** Templates a run may name; default: built-ins, DJP_TEMPLATES_DIR and templates/ in the store. */
  templates?: TemplateCatalog;
  /** The thread index; default: beside the artifacts when `store` is a BackendRunStore, else none. */
  threads?: ThreadStore | null;
  /** Attachments; default: the run store's (createRunStore sets one), else beside the artifacts. */
  attachments?: AttachmentStore | null;
  /**
   * This process's replica id, recorded on every run it accepts (default: DJP_REPLICA_ID, else
   * <hostname>/<pid>). Must be unique among processes running at the same time.
   */
  replica?: string;
  /** How often a running run's live record is rewritten as a heartbeat (ms; DJP_LIVE_HEARTBEAT_MS, default 30 s). */
  liveHeartbeatMs?: number;
  /** How often another replica polls the store while following a run it does not execute (ms). */
  followPollMs?: number;
  /** The notifications following this service's lifecycle (shared/notify): info() reports their status. */
  notifications?: { info(): NotificationsInfo } | null;
}

/** A lifecycle event before the service stamps `at` on it. */
type LifecycleInput = LifecycleEvent extends infer E ? (E extends LifecycleEvent ? Omit<E, 'at'> : never) : never;

/** How to follow run lifecycle events (shared/api/lifecycle.ts): a listener, or an async iterable. */
export type LifecycleStream = Pick<EventHub<LifecycleEvent>, 'subscribe' | 'stream' | 'size'>;

export interface DjpService extends DjpApi {
  /**
   * Run lifecycle events of every run this process executes: accepted, started, finished, pending
   * approval, decided. `lifecycle.subscribe(listener)` (synchronous delivery; returns a stop
   * function) or `for await (const e of lifecycle.stream({ signal }))`. See docs/CONTRIBUTING.md.
   */
  readonly lifecycle: LifecycleStream;
  /** Runs executing now. */
  inFlight(): number;
  /** Waits for in-flight runs up to the deadline, then cancels the rest (they save as interrupted). */
  drain(deadlineMs: number): Promise<void>;
  /** The template catalog runs are started from (shared/templates), loaded on first use. */
  templateCatalog(): Promise<TemplateCatalog>;
  /** The gallery: latest version of each template, searched (title, description, tags, body) and filtered by tag. */
  listTemplates(query?: ListTemplatesQuery): Promise<TemplateList>;
  /** One template, the latest version unless one is named. */
  getTemplate(id: string, query?: GetTemplateQuery): Promise<TemplateRecord>;
  /** Validates a template document and saves it as the next version of its id in the store. */
  saveTemplate(document: TemplateDocument, ctx: CallContext): Promise<TemplateRecord>;
  /** The task a template renders with these values and the projected cost with its defaults; no provider is called. */
  previewTemplate(ref: TemplateRef): Promise<TemplatePreview>;
  /** A saved run as Markdown, HTML or DOCX (shared/export), the bytes base64-encoded. */
  exportRun(runId: string, query: ExportQuery): Promise<ExportedFile>;
  /** Threads with at least one follow-up, newest activity first; q matches any turn's task. */
  listThreads(query: ListThreadsQuery): Promise<ThreadPage>;
  /** One thread: every turn and each branch (first turn → leaf). */
  getThread(threadId: string): Promise<ThreadView>;
  /**
   * Starts a batch (shared/batch): rows from a file's text or objects, validated and projected first
   * (errors name the row and column), stored beside the runs, run in the background sharing this
   * process's DJP_BATCH_CONCURRENCY run slots (default 4), separate from interactive runs.
   */
  createBatch(request: CreateBatchRequest, ctx: CallContext): Promise<BatchInfo>;
  /** Batches in the store, newest first, each with its per-status counts (merged from every worker). */
  listBatches(): Promise<BatchInfo[]>;
  /** One batch with each row's status, run id, model, score, cost and error. */
  getBatch(batchId: string): Promise<BatchDetail>;
  /** A batch's merged results as CSV or JSONL, the bytes base64-encoded (like exportRun). */
  getBatchResults(batchId: string, query?: BatchResultsQuery): Promise<BatchResultsFile>;
  /** This process's replica id. */
  readonly replica: string;
  /**
   * Saves as interrupted every accepted run whose process died: this replica's own records (call it
   * on start) and any replica's whose heartbeat is older than `staleMs` (default 5 heartbeats).
   */
  recover(opts?: { own?: boolean; staleMs?: number }): Promise<RecoverResult>;
}

function parseOr<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> } } }, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw invalidFromZod(r.error.issues);
  return r.data;
}

export function createDjpService(opts: DjpServiceOptions): DjpService {
  const env = opts.env ?? process.env;
  const store = opts.store;
  const now = opts.now ?? (() => new Date());
  const log = opts.logger;
  const retainMs = opts.retainMs ?? 5 * 60_000;
  const root = findAppRoot();
  const version = appVersion(root);
  const sha = gitSha(env, root);
  let pricing: Pricing | null = null;
  const prices = () => (pricing ??= loadPricing(null, env));
  const project = opts.projectCost ?? ((task: string, params: RunParameters) => projectCost(task, params, prices()));
  const makeGuardrails = opts.makeGuardrails ?? ((params: RunParameters, extra?: { corpus?: Corpus; rulesContent?: string | null }) => createGuardrails(params, { ...(opts.surface === 'server' ? { allowedRoots: [] } : {}), ...extra }));
  const makeCostMeter = opts.makeCostMeter ?? ((params: RunParameters, projection: CostProjection) => createCostMeter(params, projection, { pricing: prices() }));
  const active = new Map<string, ActiveRun>();
  const lifecycle = new EventHub<LifecycleEvent>((e) => log?.warn({ err: e instanceof Error ? e.message : String(e) }, 'a lifecycle listener failed'));
  const announce = (e: LifecycleInput) => lifecycle.publish({ ...e, at: now().toISOString() } as LifecycleEvent);
  const finished = new FinishedRuns();
  const storeBackend = (store as { backend?: StorageBackend }).backend ?? null;
  // The template code (LiquidJS, YAML) is loaded on first use: a run without a template never pays for it.
  const templatesModule = () => import('../templates/index.js');
  let catalog: Promise<TemplateCatalog> | null = null;
  const templateCatalog = () =>
    (catalog ??= opts.templates ? Promise.resolve(opts.templates) : templatesModule().then((m) => m.createTemplateCatalog({ backend: storeBackend, dir: env.DJP_TEMPLATES_DIR || null, now })));
  const isTemplated = (r: unknown) => typeof r === 'object' && r !== null && (r as { template?: unknown }).template !== undefined;
  const threads = opts.threads !== undefined ? opts.threads : store instanceof BackendRunStore ? new ThreadStore(store.backend) : null;
  const attachments =
    opts.attachments !== undefined
      ? opts.attachments
      : store instanceof BackendRunStore
        ? (store.attachments ??= new AttachmentStore(store.backend, { outboxDir: store.outboxDir, limits: attachmentLimits(env) }))
        : null;
  const noAttachments = () => new DjpError('unavailable', `attachments are not available with this run store (${store.location})`, 'attachments');
  const noThreads = () => new DjpError('unavailable', `threads are not available with this run store (${store.location})`);
  const replica = opts.replica ?? env.DJP_REPLICA_ID ?? `${hostname()}/${process.pid}`;
  const heartbeatMs = opts.liveHeartbeatMs ?? (Number(env.DJP_LIVE_HEARTBEAT_MS) || 30_000);
  const followPollMs = opts.followPollMs ?? 500;
  // Live records of the runs this process executes, rewritten every heartbeatMs.
  const liveRecords = new Map<string, LiveRecord>();
  let beating: NodeJS.Timeout | null = null;
  const beat = () => {
    for (const r of liveRecords.values()) void store.live.heartbeat(r).catch(() => undefined);
  };

  const running = () => [...active.values()].filter((r) => !r.finished);
  // Starts accepted but not yet registered (still preparing): drain() waits for these too, and once
  // its deadline has passed, a run registered late is cancelled at once (saved as interrupted).
  const starting = new Set<Promise<unknown>>();
  let shutdownReason: string | null = null;

  async function prepare(input: unknown) {
    // A template is looked up, its variables checked and its body rendered first: a bad variable or
    // an unknown template/version is a request error before any provider is called.
    const { request, template } = isTemplated(input) ? await (await templatesModule()).expandTemplateRequest(await templateCatalog(), input) : { request: input, template: null };
    const req = parseOr(RunRequest, request);
    const registry = await loadProviderRegistry(env, opts.secrets);
    const params = resolveRunParams(req, { registry });
    // Stored or inline policy content needs no file (replay of a run whose policy file moved).
    const policy = req.policy_content ? inlinePolicy(req.policy_content, params.policy) : loadPolicy(params.policy, { allowFiles: opts.surface !== 'server' });
    const projection = project(req.task, params);
    return { req, registry, params, policy, projection, template };
  }

  async function start(request: unknown, ctx: CallContext, replayOf: string | null, notes: string[] = []): Promise<StartedRun> {
    // A burst of start requests is prepared one per event-loop turn (shared/djp/turns.ts); the run's
    // first provider calls are launched in the same slice (a second wait here would hold every run's
    // first call back until all the burst's runs were prepared).
    await nextTurn();
    const { req, registry, params, policy, projection: requestProjection, template } = await prepare(request);
    // A follow-up: the thread's earlier turns (validated before anything is spent).
    const followUp: ResolvedFollowUp | null = req.follow_up_of ? await resolveFollowUp(req.follow_up_of, loadRun, params.context_tokens ?? DEFAULT_PARAMETERS.context_tokens) : null;
    // Attachments: the thread's earlier ones and the request's, as the run's grounding corpus.
    const requested = req.attachments ?? [];
    let files: RunAttachments | null = null;
    if (requested.length || followUp?.inherited.length) {
      if (!attachments) throw noAttachments();
      if (params.grounded_corpus) throw new DjpError('invalid', 'attachments: a run grounded in attachments cannot also name grounded_corpus (the attachments are its corpus); drop one', requested.length ? 'attachments' : 'grounded_corpus');
      files = await loadRunAttachments(attachments, requested, followUp?.inherited ?? [], attachments.limits);
    }
    // The budget check counts what the prompts will carry: the thread section (debaters and judge)
    // and, for attachments, retrieved passages as for a grounded_corpus.
    const projection =
      followUp?.section || files?.corpus
        ? project(followUp?.section ? `${followUp.section}\n\n${req.task}` : req.task, { ...params, grounded_corpus: params.grounded_corpus ?? (files?.corpus ? 'attachments' : null) })
        : requestProjection;
    if (!projection.within_budget) throw new DjpError('budget_exceeded', projection.budget_detail ?? 'the projected cost exceeds the budget', budgetField(projection) ?? (params.budget_usd !== null ? 'budget_usd' : 'budget_tokens'));
    // Quotas (rate_limited → 429) after validation: a malformed request is a 400, not a spent slot.
    const lease = opts.quotas?.admitRun(quotaKey(ctx), projection.total_usd, ctx.batch ? 'batch' : 'interactive') ?? null;
    let guardrails: GuardrailHooks;
    let cost: CostMeter;
    try {
      guardrails = await makeGuardrails(params, { ...(files?.corpus ? { corpus: files.corpus } : {}), rulesContent: req.redaction_rules_content ?? null });
      cost = makeCostMeter(params, projection);
    } catch (e) {
      lease?.release(0);
      throw e;
    }
    const scrubText = (text: string): string => guardrails.redactText(text);
    const scrub = (e: unknown): string => {
      const text = redactSecrets(e instanceof Error ? e.message : String(e));
      try {
        return guardrails.redactText(text);
      } catch {
        return text;
      }
    };
    const id = newRunId(now().getTime());
    // Durable acceptance: the run is recorded in the store (or the outbox) before the caller hears of it.
    let redactedTask: string;
    try {
      redactedTask = guardrails.redactText(redactSecrets(req.task));
    } catch {
      redactedTask = redactSecrets(req.task);
    }
    const at = now().toISOString();
    const record: LiveRecord = {
      v: 1,
      id,
      created_at: at,
      task: redactedTask,
      parameters: params,
      provenance: { app_version: version, git_sha: sha, runtime: runtimeInfo(opts.surface), identity: ctx.identity, replay_of: replayOf },
      replica,
      heartbeat_at: at,
    };
    let acceptedAside = false;
    try {
      await store.live.accept(record);
    } catch (e) {
      // Neither the store nor its outbox took it (e.g. a local RUNS_DIR that cannot be written): the
      // fallback folder, like the artifact itself will be. Only when that fails too is the start refused.
      try {
        const path = keepAccepted(id, record, env);
        acceptedAside = true;
        log?.warn({ run_id: id, err: scrub(e), fallback: path }, 'run store failed; accepted-run record kept in the fallback folder');
      } catch (e2) {
        lease?.release(0);
        throw new DjpError('unavailable', `the run could not be accepted: neither ${store.location} nor a local folder could record it (${scrub(e)}; ${scrub(e2)})`);
      }
    }
    liveRecords.set(id, record);
    beating ??= setInterval(beat, heartbeatMs);
    beating.unref();
    const run = new ActiveRun(id, now);
    active.set(id, run);
    if (shutdownReason) run.controller.abort(shutdownReason);
    log?.info({ run_id: id, surface: opts.surface, debaters: params.debaters.map(refName), user: ctx.identity.user }, 'run started');
    announce({ type: 'run.accepted', run_id: id, by: ctx.identity.user, replay_of: replayOf });
    // Announced once the run is marked finished, so a listener's getRun() already sees it finished.
    const ending: LifecycleInput[] = [];
    // Set once the artifact is in the store (or its outbox) and run.done is out: the run then leaves memory.
    let inStore = false;
    let finalSeq: number | null = null;
    run.done = (async () => {
      try {
        let artifact = await runPipeline({
          runId: id,
          task: req.task,
          params,
          policy,
          providerFor: (p) => registry.create(p),
          provenance: { app_version: version, git_sha: sha, runtime: runtimeInfo(opts.surface), identity: ctx.identity, replay_of: replayOf, ...(ctx.batch ? { batch: ctx.batch } : {}) },
          emit: (e) => {
            run.push(e);
            if (e.type === 'run.started') announce({ type: 'run.started', run_id: id });
          },
          guardrails,
          cost,
          signal: run.controller.signal,
          now,
          retry: opts.retry,
          ...(followUp ? { thread: { info: followUp.info, section: followUp.section }, retrievalQuery: [...followUp.chain.map((a) => a.task), req.task].join('\n') } : {}),
          ...(files ? { attachments: files.list } : {}),
          warnings: [...notes, ...(files?.warnings ?? [])],
        });
        if (template) {
          // The input values are stored like the task: through the run's redactor.
          const vars = Object.fromEntries(Object.entries(template.vars).map(([k, v]) => [k, typeof v === 'string' ? scrubText(v) : Array.isArray(v) ? v.map(scrubText) : v]));
          artifact = { ...artifact, template: { ...template, vars } };
        }
        run.artifact = artifact;
        let saved: SaveResult;
        try {
          await nextTurn(); // validation, serialisation and the index entry: a slice of their own
          saved = await store.save(artifact);
          inStore = true; // in the store or its outbox: store.load answers for it from now on
        } catch (e) {
          // The store (and its outbox, if any) failed: keep the artifact in the fallback folder.
          const why = scrub(e);
          const path = keepUnsaved(artifact, env);
          const reason = `saving to ${store.location} failed (${why}); the artifact was written to ${path} instead — copy it into RUNS_DIR and run \`djp sync --reindex\` to add it to history`;
          log?.error({ run_id: id, err: why, fallback: path }, 'run store failed; artifact kept in the fallback folder');
          saved = { location: path, outbox: { path, reason } };
        }
        run.location = saved.location;
        if (followUp) await recordThread([followUp.chain[followUp.chain.length - 1]!, artifact], id);
        liveRecords.delete(id);
        if (acceptedAside) dropAccepted(id, env);
        else await store.live.finish(id).catch((e: unknown) => log?.warn({ run_id: id, err: scrub(e) }, 'live-run record not removed; recovery will find the saved artifact and remove it'));
        const done = run.push({ type: 'run.done', status: artifact.status, artifact: saved.location, outbox: saved.outbox });
        ending.push({ type: 'run.finished', run_id: id, status: artifact.status, interrupted: artifact.interrupted, location: saved.location, outbox: saved.outbox, error: null });
        if (artifact.status === 'pending_approval') ending.push({ type: 'run.pending_approval', run_id: id, task: artifact.task.slice(0, 200) });
        if (inStore) finalSeq = done.seq;
        log?.info({ run_id: id, status: artifact.status, interrupted: artifact.interrupted, location: saved.location, outbox: saved.outbox?.path ?? null }, 'run finished');
      } catch (e) {
        const msg = scrub(e);
        log?.error({ run_id: id, err: msg }, 'run failed');
        liveRecords.delete(id);
        if (acceptedAside) dropAccepted(id, env);
        else await store.live.finish(id).catch(() => undefined);
        const message = run.artifact ? `the run finished but could not be saved anywhere: ${msg}` : msg;
        run.push({ type: 'run.error', message });
        ending.push({ type: 'run.finished', run_id: id, status: 'error', interrupted: run.artifact?.interrupted ?? null, location: null, outbox: null, error: message });
      } finally {
        run.finished = true;
        lease?.release(run.artifact?.cost.total.usd ?? null);
        if (finalSeq !== null) {
          // Saved: drop the events (tens of KB per run) now. A late subscriber gets the run from the
          // store; `finished` remembers only where its live stream ended, so a resuming client is
          // answered consistently (shared/service/active-runs.ts, finishedRuns).
          finished.remember(id, finalSeq);
          if (active.get(id) === run) active.delete(id);
        } else {
          // Not in the store (run.error, or only in the fallback folder): memory is all there is.
          setTimeout(() => {
            if (active.get(id) === run) active.delete(id);
          }, retainMs).unref();
        }
        for (const e of ending) announce(e);
      }
    })();
    return { id };
  }

  // A failed index write never fails the run: its artifact (with its `thread`) is already saved.
  async function recordThread(runs: RunArtifact[], runId: string): Promise<void> {
    if (!threads) return;
    try {
      await threads.record(runs);
    } catch (e) {
      log?.warn({ run_id: runId, err: redactSecrets((e as Error).message) }, 'thread index write failed; the artifact keeps its thread, the thread view misses this turn');
    }
  }

  function tracked<T>(p: Promise<T>): Promise<T> {
    starting.add(p);
    const forget = () => starting.delete(p);
    p.then(forget, forget);
    return p;
  }

  // In-memory state is for live runs only: a finished run is read from the store, where another
  // replica may have decided it since. The memory copy serves only a run whose save never reached the
  // store (it went to the fallback folder).
  async function loadRun(runId: string): Promise<RunArtifact> {
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
  }

  /**
   * Follows a run another replica executes: its start from the live record at once, then, polling the
   * store, the rest of its events once its artifact is saved (or run.error if it ends without one).
   */
  function follow(rec: LiveRecord, listener: (e: RunEvent) => void, afterSeq: number): Unsubscribe {
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

  // Decisions are a compare-and-swap on the stored artifact (RunStore.modify): of two racing decisions
  // — in this process or on another replica — exactly one applies; the other re-reads, finds the run
  // decided and gets a conflict naming who decided. In this process they are also taken one at a time,
  // which saves the loser a round trip.
  const deciding = new Map<string, Promise<unknown>>();
  function decide(runId: string, ctx: CallContext, approve: boolean, reason: string | null): Promise<RunArtifact> {
    const prev = deciding.get(runId) ?? Promise.resolve();
    const next = prev.then(
      () => decideNow(runId, ctx, approve, reason),
      () => decideNow(runId, ctx, approve, reason),
    );
    deciding.set(runId, next);
    const forget = () => {
      if (deciding.get(runId) === next) deciding.delete(runId);
    };
    next.then(forget, forget);
    return next;
  }

  async function decideNow(runId: string, ctx: CallContext, approve: boolean, reason: string | null): Promise<RunArtifact> {
    const live = active.get(runId);
    if (live && !live.finished) throw new DjpError('conflict', `run ${runId} is still running`, 'id');
    const who = ctx.identity.user;
    const { artifact: next, saved } = await store.modify(runId, (a) => {
      if (a.status !== 'pending_approval' || a.approval.state !== 'pending') {
        const decided = a.approval.decided_by
          ? `already ${a.approval.state} by ${a.approval.decided_by}${a.approval.decided_at ? ` at ${a.approval.decided_at}` : ''}`
          : `not awaiting approval (status ${a.status}, approval ${a.approval.state})`;
        throw new DjpError('conflict', `run ${runId} was ${decided}`, 'id');
      }
      const at = now().toISOString();
      return {
        ...a,
        status: approve ? 'published' : 'advisory_only',
        publish: {
          ...a.publish,
          status: approve ? 'published' : 'advisory_only',
          text: approve ? a.publish.text : null,
          reason: approve ? `approved by ${who}${reason ? `: ${reason}` : ''}` : `rejected by ${who}: ${reason}`,
        },
        approval: { required: true, state: approve ? 'approved' : 'rejected', decided_by: who, decided_at: at, reason },
      };
    });
    if (next.thread && next.thread.turn > 1) await recordThread([next], runId);
    log?.info({ run_id: runId, decision: approve ? 'approved' : 'rejected', by: who, outbox: saved.outbox?.path ?? null }, 'approval decided');
    announce({ type: 'run.decided', run_id: runId, decision: approve ? 'approved' : 'rejected', by: who, reason });
    return next;
  }

  // Batches of this process (loaded on first use): one pool of run slots shared by all of them.
  let batchManager: Promise<BatchManager> | null = null;
  const batches = (): Promise<BatchManager> =>
    (batchManager ??= import('../batch/index.js').then((m) => {
      if (!storeBackend) throw new DjpError('unavailable', 'batches need a run store with a storage backend');
      const slots = Number(env.DJP_BATCH_CONCURRENCY ?? 4);
      if (!Number.isInteger(slots) || slots < 1 || slots > 64) throw new DjpError('invalid', `DJP_BATCH_CONCURRENCY must be a whole number from 1 to 64 (got "${env.DJP_BATCH_CONCURRENCY}")`, 'DJP_BATCH_CONCURRENCY');
      return m.createBatchManager({
        api: service,
        store: new m.BatchStore(storeBackend),
        slots,
        worker: replica,
        onFinished: (b, by) => announce({ type: 'batch.finished', batch_id: b.id, name: b.name, rows: b.rows, counts: b.counts, spent_usd: b.spent_usd, complete: b.complete, by }),
      });
    }));

  const service: DjpService = {
    lifecycle,
    startRun: (request, ctx) => tracked(start(request, ctx, null)),

    async subscribe(runId, listener: (e: RunEvent) => void, afterSeq = -1): Promise<Unsubscribe> {
      const a = active.get(runId);
      if (a) return a.subscribe(listener, afterSeq);
      let artifact: RunArtifact;
      try {
        artifact = await store.load(runId);
      } catch (e) {
        if (!(isDjpError(e) && e.code === 'not_found')) throw e;
        const rec = await store.live.get(runId).catch(() => null);
        if (!rec) throw e;
        return follow(rec, listener, afterSeq);
      }
      for (const e of finished.replay(artifact, `${store.location}/${runId}.json`, afterSeq)) listener(e);
      return () => undefined;
    },

    async cancelRun(runId, ctx) {
      const a = active.get(runId);
      if (a && !a.finished) {
        a.controller.abort(`cancelled by ${ctx.identity.user}`);
        await a.done;
        return;
      }
      if (a) throw new DjpError('conflict', `run ${runId} has already finished`, 'id');
      await store.load(runId); // not_found when it does not exist
      throw new DjpError('conflict', `run ${runId} has already finished`, 'id');
    },

    getRun: (runId) => loadRun(runId),

    async listRuns(query): Promise<RunPage> {
      return store.list(parseOr(ListRunsQuery, query ?? {}));
    },

    async deleteRun(runId, ctx) {
      const a = active.get(runId);
      if (a && !a.finished) throw new DjpError('conflict', `run ${runId} is still running; cancel it first`, 'id');
      const doomed = threads ? await store.load(runId).catch(() => null) : null;
      await store.delete(runId);
      active.delete(runId);
      if (doomed && threads) await threads.remove(doomed).catch((e: unknown) => log?.warn({ run_id: runId, err: (e as Error).message }, 'thread index entry not removed'));
      finished.forget(runId);
      log?.info({ run_id: runId, by: ctx.identity.user }, 'run deleted');
    },

    async approveRun(runId, decision, ctx) {
      const d = parseOr(Decision, decision ?? {});
      return decide(runId, ctx, true, d.reason?.trim() || null);
    },

    async rejectRun(runId, decision, ctx) {
      const d = parseOr(RejectDecision, decision ?? {});
      return decide(runId, ctx, false, d.reason);
    },

    async replayRun(runId, ctx) {
      const a = await loadRun(runId);
      // A replayed follow-up follows up the same earlier turn (a new branch) with the same attachments.
      // Replay uses the stored policy and rules content, not the files they came from.
      const stored = { policy: a.policy ? { name: a.policy.name, publishes: a.policy.publishes, allow: a.policy.allow, prefer: a.policy.prefer } : null, rules: a.guardrails.redaction.rules_content ?? null };
      const request: Record<string, unknown> = {
        // A templated run is re-rendered from its template version and values.
        ...(a.template ? (await templatesModule()).replayTemplateRequest(a.template, a.parameters) : requestFromParameters(a.task, a.parameters)),
        ...(stored.policy ? { policy_content: stored.policy } : {}),
        ...(stored.rules ? { redaction_rules_content: stored.rules } : {}),
        ...(a.thread?.parent_id ? { follow_up_of: a.thread.parent_id } : {}),
        ...(a.attachments?.some((x) => x.source === 'request') ? { attachments: a.attachments.filter((x) => x.source === 'request').map((x) => x.id) } : {}),
      };
      return tracked(start(request, ctx, runId, replayNotes(a)));
    },

    // Stores one uploaded file (sniffed, limited, content-addressed); too_large 413, unsupported_type 415.
    async uploadAttachment(name, data, ctx) {
      if (!attachments) throw noAttachments();
      // In-process callers (CLI, desktop) have not been checked by a transport: the table's checks, naming the field.
      const [fileName, bytes] = OPERATIONS.uploadAttachment.args.map((a, i) => parseArg('uploadAttachment', i, a, [name, data][i])) as [string, Uint8Array];
      const r = await attachments.put(fileName, bytes);
      log?.info({ attachment: r.attachment.id, sha256: r.attachment.sha256, bytes: r.attachment.bytes, media_type: r.attachment.media_type, by: ctx.identity.user, outbox: r.outbox?.path ?? null }, 'attachment stored');
      return { ...r.attachment, outbox: r.outbox !== null };
    },

    // An attachment as a file: its bytes (checked against its sha256), media type and name.
    async getAttachment(id) {
      if (!attachments) throw noAttachments();
      const { attachment, data } = await attachments.read(id);
      return { filename: attachment.name, content_type: attachment.media_type.startsWith('text/') ? `${attachment.media_type}; charset=utf-8` : attachment.media_type, data };
    },

    async listThreads(query) {
      if (!threads) throw noThreads();
      return threads.list(query ?? {});
    },

    async getThread(threadId) {
      if (!threads) throw noThreads();
      return threads.view(threadId);
    },

    async exportThread(threadId) {
      if (!threads) throw noThreads();
      const view = await threads.view(threadId);
      const runs = await Promise.all(view.turns.map((t) => store.load(t.run_id).catch((e: unknown) => (isDjpError(e) && e.code === 'not_found' ? null : Promise.reject(e)))));
      const md = threadMarkdown(view, runs.filter((a): a is RunArtifact => a !== null));
      return { format: 'md' as const, filename: `djp-thread-${view.id}.md`, content_type: 'text/markdown; charset=utf-8', base64: Buffer.from(md, 'utf8').toString('base64') };
    },

    async listProviders(): Promise<ProviderStatus[]> {
      return (await loadProviderRegistry(env, opts.secrets)).statuses();
    },

    async projectCost(request): Promise<CostProjection> {
      return (await prepare(request)).projection;
    },

    async info(): Promise<ServiceInfo> {
      let pending = 0;
      try {
        pending = await store.outboxCount();
      } catch (e) {
        if (!isDjpError(e)) log?.warn({ err: (e as Error).message }, 'outbox count failed');
      }
      return {
        app_version: version,
        storage: { kind: store.kind, location: store.location },
        outbox_pending: pending,
        auth: opts.auth ?? 'none',
        surface: opts.surface,
        ...(opts.notifications ? { notifications: opts.notifications.info() } : {}),
      };
    },

    templateCatalog,

    async listTemplates(query) {
      return (await templateCatalog()).list(query ?? {});
    },

    async getTemplate(id, query) {
      const q = parseOr(GetTemplateQuery, query ?? {});
      return (await templateCatalog()).get(id, q.version);
    },

    async saveTemplate(document, ctx) {
      const saved = await (await templateCatalog()).save(document, ctx.identity.user);
      log?.info({ template: saved.id, version: saved.version, by: ctx.identity.user }, 'template saved');
      return saved;
    },

    async previewTemplate(ref) {
      const rendered = await (await templatesModule()).renderTemplateRef(await templateCatalog(), ref);
      const { projection } = await prepare({ template: ref });
      return { ...rendered, projection };
    },

    async exportRun(runId, query) {
      const { exportRun, parseExportFormat, toExportedFile } = await import('../export/index.js');
      const format = parseExportFormat((query as { format?: unknown } | undefined)?.format);
      return toExportedFile(await exportRun(await loadRun(runId), format));
    },

    inFlight: () => running().length,

    replica,

    recover: (o = {}) =>
      recoverLiveRuns(store, {
        replica: o.own === false ? null : replica,
        staleMs: o.staleMs ?? 5 * heartbeatMs,
        running: (id) => liveRecords.has(id),
        by: `replica ${replica}`,
        now,
        allowPolicyFiles: opts.surface !== 'server',
      }),

    async createBatch(request, ctx) {
      return (await batches()).create(request, ctx);
    },

    async listBatches() {
      return (await batches()).list();
    },

    async getBatch(batchId) {
      return (await batches()).get(batchId);
    },

    async getBatchResults(batchId, query) {
      const q = parseOr(BatchResultsQuery, query ?? {});
      const text = await (await batches()).results(batchId, q.format);
      return { format: q.format, filename: `${batchId}-results.${q.format}`, content_type: q.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson', base64: Buffer.from(text, 'utf8').toString('base64') };
    },

    async drain(deadlineMs) {
      // Batches start no new rows; their runs in flight are drained below like any other.
      batchManager?.then((m) => m.stop(), () => undefined);
      if (running().length === 0 && starting.size === 0) return;
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<boolean>((r) => (timer = setTimeout(() => r(true), Math.max(0, deadlineMs))));
      // Starts still being prepared first (they become running runs), then every running run.
      const all = Promise.allSettled([...starting]).then(() => Promise.all(running().map((r) => r.done)));
      const timedOut = await Promise.race([all.then(() => false), deadline]);
      clearTimeout(timer);
      if (!timedOut) return;
      shutdownReason = 'shutdown: the drain deadline passed';
      await Promise.allSettled([...starting]);
      const runs = running();
      for (const r of runs) r.controller.abort(shutdownReason);
      await Promise.all(runs.map((r) => r.done));
    },
  };
  return service;
}
