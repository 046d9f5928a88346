// createDjpService: the one DjpApi implementation every transport carries (CLI, HTTP server,
// desktop IPC), put together from the domain modules in ./modules over one ServiceContext
// (./context.ts). Runs execute in the background in this process; events are buffered per run so
// subscribe() can replay then stream; finished runs are read back from the RunStore.
import type { Logger } from 'pino';
import type {
  CallContext,
  CostProjection,
  DjpApi,
  EventHub,
  LifecycleEvent,
  RunParameters,
  ListTemplatesQuery,
  GetTemplateQuery,
  ExportQuery,
  ExportedFile,
  TemplateDocument,
  TemplateList,
  TemplatePreview,
  TemplateRecord,
  TemplateRef,
  ThreadPage,
  ThreadView,
  ListThreadsQuery,
  BatchResultsQuery,
  BatchDetail,
  BatchInfo,
  BatchResultsFile,
  CreateBatchRequest,
  NotificationsInfo,
} from '../api/index.js';
import type { RunStore } from '../artifacts/types.js';
import type { ThreadStore } from '../threads/index.js';
import type { AttachmentStore } from '../attachments/index.js';
import type { Corpus } from '../guardrails/grounding/corpus.js';
import type { CostMeter, GuardrailHooks } from '../djp/hooks.js';
import type { Env, SecretSource } from '../providers/registry.js';
import type { Quotas } from '../quota/index.js';
import type { RetryOptions } from '../providers/retry.js';
import type { TemplateCatalog } from '../templates/index.js';
import type { RecoverResult } from './recover.js';
import { createServiceContext } from './context.js';
import { registerModules, SERVICE_MODULES } from './modules/index.js';

export type Surface = 'cli' | 'server' | 'desktop' | 'test';

export interface DjpServiceOptions {
  store: RunStore;
  env?: Env;
  surface: Surface;
  secrets?: SecretSource;
  /** How long a provider's model list is cached (default 10 minutes; tests shorten it). */
  modelListTtlMs?: number;
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

/**
 * The service: the domain modules of shared/service/modules (runs, subscribe, approvals, threads,
 * attachments, templates, export, batches, info), each registered over one shared context (store,
 * providers, lifecycle hub, options). See docs/CONTRIBUTING.md, "Adding an operation".
 */
export function createDjpService(opts: DjpServiceOptions): DjpService {
  const ctx = createServiceContext(opts);
  const service: DjpService = { lifecycle: ctx.lifecycle, ...registerModules(ctx, SERVICE_MODULES) };
  ctx.bind(service);
  return service;
}
