// The DjpApi contract: operations, their inputs/outputs and the run event stream.
// Browser-safe: the renderer imports this file; it must import nothing from Node.
import * as z from 'zod';
import { Attempt, BatchLink, DraftScore, Identity, PublishStatus, Usage, Publish } from './artifact.js';
import { ModelRef, ProviderId } from './run-request.js';
import { NotificationsInfo } from './notification.js';
import type { ApiMethods, StreamMethods } from './operations.js';

// --- Events ---------------------------------------------------------------------------------------
// One run emits, in order: run.started, per draft (draft.started, draft.delta*, draft.attempt*,
// draft.done), judge.started/judge.done per pass, publish.done, then exactly one of run.done / run.error.
// `seq` increases by one per event of a run, so a reconnecting client can resume after the last it saw.
const Base = { run_id: z.string(), seq: z.number().int().min(0), at: z.string() };

export const RunEvent = z.discriminatedUnion('type', [
  z.object({
    ...Base,
    type: z.literal('run.started'),
    task: z.string(),
    drafts: z.array(z.object({ draft_id: z.string(), provider: ProviderId, model: z.string() })),
    judge: ModelRef,
    projected_usd: z.number().nullable(),
  }),
  z.object({ ...Base, type: z.literal('draft.started'), draft_id: z.string() }),
  z.object({ ...Base, type: z.literal('draft.delta'), draft_id: z.string(), text: z.string() }),
  z.object({ ...Base, type: z.literal('draft.attempt'), draft_id: z.string(), attempt: Attempt }),
  z.object({
    ...Base,
    type: z.literal('draft.done'),
    draft_id: z.string(),
    status: z.enum(['ok', 'failed', 'timeout', 'skipped', 'cancelled']),
    error: z.string().nullable(),
    usage: Usage.nullable(),
    latency_ms: z.number(),
  }),
  z.object({ ...Base, type: z.literal('judge.started'), pass: z.number().int(), model: ModelRef }),
  z.object({
    ...Base,
    type: z.literal('judge.done'),
    pass: z.number().int(),
    status: z.enum(['ok', 'failed', 'timeout', 'cancelled', 'skipped']),
    error: z.string().nullable(),
    scores: z.array(DraftScore),
  }),
  z.object({ ...Base, type: z.literal('publish.done'), publish: Publish }),
  z.object({ ...Base, type: z.literal('warning'), message: z.string() }),
  z.object({
    ...Base,
    type: z.literal('run.done'),
    status: PublishStatus,
    /** Where the artifact was saved (path or URI), or the local outbox path when the store failed. */
    artifact: z.string(),
    outbox: z.object({ path: z.string(), reason: z.string() }).nullable(),
  }),
  z.object({ ...Base, type: z.literal('run.error'), message: z.string() }),
]);
export type RunEvent = z.infer<typeof RunEvent>;
export type RunEventType = RunEvent['type'];
/** An event before the service stamps run_id/seq/at on it. */
export type RunEventInput = RunEvent extends infer E ? (E extends RunEvent ? Omit<E, 'run_id' | 'seq' | 'at'> : never) : never;

// --- Listing --------------------------------------------------------------------------------------
export const ListRunsQuery = z
  .object({
    q: z.string().max(500).optional(),
    status: PublishStatus.optional(),
    provider: ProviderId.optional(),
    /** Inclusive ISO date/time bounds on created_at. */
    from: z.string().datetime({ offset: true }).or(z.string().date()).optional(),
    to: z.string().datetime({ offset: true }).or(z.string().date()).optional(),
    cursor: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();
export type ListRunsQuery = z.input<typeof ListRunsQuery>;

export const RunSummary = z.object({
  id: z.string(),
  created_at: z.string(),
  task: z.string(), // first 200 characters
  status: PublishStatus,
  winner: ModelRef.nullable(),
  providers: z.array(ProviderId),
  cost_usd: z.number().nullable(),
  duration_ms: z.number(),
  /**
   * Set for a run still in progress (on any replica): it has no artifact yet, `status` is "none" and
   * `duration_ms` is the time since it was accepted.
   */
  live: z.object({ state: z.literal('running'), replica: z.string(), heartbeat_at: z.string() }).optional(),
});
export type RunSummary = z.infer<typeof RunSummary>;

export const RunPage = z.object({
  runs: z.array(RunSummary),
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  next_cursor: z.string().nullable(),
  /** Artifacts skipped because they failed to parse. */
  skipped: z.number().int().min(0),
  /**
   * True when the store could not be read: the page holds what this replica still has (the last
   * entries it listed for this query, runs waiting in its outbox, its live runs) and may be incomplete.
   */
  store_unreachable: z.boolean().optional(),
});
export type RunPage = z.infer<typeof RunPage>;

// --- Providers, cost, info ------------------------------------------------------------------------
export const ProviderStatus = z.object({
  id: ProviderId,
  label: z.string(),
  configured: z.boolean(),
  /** Where the key came from; never the key itself. */
  key_source: z.enum(['env', 'keychain', 'none', 'not_needed']),
  base_url: z.string().nullable(),
  default_model: z.string(),
  judge_model: z.string(),
  models: z.array(z.string()),
});
export type ProviderStatus = z.infer<typeof ProviderStatus>;

/** The model ids a provider lists itself (suggestions for the Run form; any id may still be typed). */
export const ProviderModels = z.object({
  provider: ProviderId,
  models: z.array(z.string()),
  /** When the server asked the provider (UTC); the list is cached for 10 minutes per provider. */
  fetched_at: z.string(),
  /** True when this answer came from the cache. */
  cached: z.boolean(),
});
export type ProviderModels = z.infer<typeof ProviderModels>;

export const CostProjection = z.object({
  currency: z.literal('USD'),
  calls: z.array(
    z.object({
      stage: z.enum(['debate', 'judge']),
      provider: ProviderId,
      model: z.string(),
      input_tokens: z.number().int(),
      output_tokens: z.number().int(),
      usd: z.number().nullable(),
    }),
  ),
  total_usd: z.number().nullable(), // null when any model is unpriced
  total_tokens: z.number().int(),
  unpriced_models: z.array(z.string()),
  within_budget: z.boolean(),
  budget_detail: z.string().nullable(),
});
export type CostProjection = z.infer<typeof CostProjection>;

export const ServiceInfo = z.object({
  app_version: z.string(),
  storage: z.object({ kind: z.enum(['local', 's3', 'gcs']), location: z.string() }),
  outbox_pending: z.number().int().min(0),
  auth: z.string(),
  surface: z.enum(['cli', 'server', 'desktop', 'test']),
  /** Notification channels and their last delivery (absent when the service has no notifier). */
  notifications: NotificationsInfo.optional(),
});
export type ServiceInfo = z.infer<typeof ServiceInfo>;

export const Decision = z.object({ reason: z.string().max(2000).optional() }).strict();
export const RejectDecision = z.object({ reason: z.string().trim().min(1, 'reason is required').max(2000) }).strict();
export type Decision = z.infer<typeof Decision>;

export const StartedRun = z.object({ id: z.string() });
export type StartedRun = z.infer<typeof StartedRun>;

/** Who is calling: set by the transport (SSO-verified identity on the server; the OS user locally). */
export interface CallContext {
  identity: Identity;
  /** Set by the batch runner: the run is one row's attempt of a batch (recorded in provenance). */
  batch?: BatchLink;
  /** The caller's network address (the server sets it): quotas key on it when the identity is unverified (DJP_AUTH=none). */
  client?: string;
}

export type Unsubscribe = () => void;


/**
 * The one API every transport carries: the CLI and server call it in-process, the desktop main
 * process exposes it over IPC, the renderer reaches it through HTTP or the preload bridge. Its
 * methods are derived from the operation table (shared/api/operations.ts): each call operation is
 * (…args, ctx?) → Promise<result>, the streaming one (subscribe) is (runId, listener, afterSeq?) →
 * Promise<Unsubscribe> — first the events already emitted with seq > afterSeq, then live ones until
 * run.done/run.error; a finished run no longer in memory replays a synthetic sequence from its
 * artifact. Errors are thrown as DjpError (shared/api/errors.ts) with a code each transport maps
 * (not_found → 404, invalid → 400, conflict → 409, …).
 */
export interface DjpApi extends ApiMethods, StreamMethods {}
