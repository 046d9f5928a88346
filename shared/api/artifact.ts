// The run artifact: one versioned schema for everything a run records. Browser-safe (zod only).
// Exported as JSON Schema to docs/artifact.schema.json (npm run schema). Every artifact validates
// against RunArtifact before it is written (shared/artifacts).
import * as z from 'zod';
import { RUN_ID_RE } from './ids.js';
import { ModelRef, PolicySpec, ProviderId, RunParameters } from './run-request.js';
import { TemplateUse } from './template.js';
import { RunAttachment, ThreadInfo } from './thread.js';
import { NotificationRecord } from './notification.js';

/**
 * 2: a draft whose raw text equals its answer stores it once (raw '' and raw_is_answer: true);
 * judge status may be 'partial'; new optional records (finish_reason, structured, truncated, policy,
 * warnings, outbound redaction, stored rules and prices). Schema-1 artifacts still validate, list and
 * show: read `rawText(draft)` instead of `draft.raw`. See docs/STORAGE.md "Artifact schema versions".
 */
export const ARTIFACT_SCHEMA_VERSION = 2 as const;
export const ARTIFACT_SCHEMA_VERSIONS = [1, 2] as const;

const IsoTime = z.string().datetime({ offset: false }); // UTC, ends in Z

export const Usage = z.object({
  input_tokens: z.number().int().min(0),
  output_tokens: z.number().int().min(0),
  total_tokens: z.number().int().min(0),
});
export type Usage = z.infer<typeof Usage>;

/**
 * One try of one model call. Retries add attempts; all are kept. started_at and latency_ms count from
 * when the attempt's HTTP request was sent (its headers written), so the client's own set-up (loading
 * the SDK and fetch, the first connection's parser) is not counted; an attempt that sent nothing counts
 * from its start.
 */
export const Attempt = z.object({
  n: z.number().int().min(1),
  started_at: IsoTime,
  latency_ms: z.number().min(0),
  outcome: z.enum(['ok', 'error', 'timeout', 'cancelled']),
  http_status: z.number().int().nullable(),
  error: z.string().nullable(),
  /** Wait before the next attempt, from Retry-After or backoff; null when no retry followed. */
  retry_after_ms: z.number().min(0).nullable(),
});
export type Attempt = z.infer<typeof Attempt>;

/** Shared record of one model call (a debater's draft or a judge pass). */
export const CallRecord = z.object({
  provider: ProviderId,
  model: z.string(),
  /** The model name the API reported back, when it differs from the one asked for. */
  response_model: z.string().nullable(),
  usage: Usage.nullable(),
  /** The whole call, retries and their waits included, from its first request being sent. */
  latency_ms: z.number().min(0),
  attempts: z.array(Attempt),
  cost_usd: z.number().min(0).nullable(), // null = unpriced or unknown usage, never a silent 0
  /**
   * The sampling temperature sent with this call; null when it was NOT applied because the API takes
   * none (Anthropic Messages, OpenAI reasoning models gpt-5* / o*, the offline provider). Absent in
   * artifacts written before this field existed.
   */
  temperature: z.number().nullable().optional(),
  /** Why the model stopped, as the API said it (finish_reason / stop_reason); null when it said nothing
   *  or the call failed. Absent before schema 2. */
  finish_reason: z.string().nullable().optional(),
  /** How JSON was asked for: json_schema (native structured output), json_object, or prompt only. */
  structured: z.enum(['json_schema', 'json_object', 'prompt']).nullable().optional(),
  /** Set when usage was unknown and budgets counted an estimate of this many tokens instead. */
  estimated_tokens: z.number().int().min(0).nullable().optional(),
});
export type CallRecord = z.infer<typeof CallRecord>;

export const DRAFT_STATUSES = ['ok', 'failed', 'timeout', 'skipped', 'cancelled'] as const;

export const Draft = CallRecord.extend({
  id: z.string(), // stable within a run: "d1", "d2", …
  status: z.enum(DRAFT_STATUSES),
  /** Raw text the model returned (after redaction when redaction is on). */
  raw: z.string(),
  answer: z.string(),
  evidence: z.array(z.string()),
  confidence: z.number().min(0).max(1).nullable(),
  safety_flags: z.array(z.string()),
  /** How the JSON was found: bare JSON, a fenced block, or not at all (raw text kept, flagged). */
  parse: z.enum(['json', 'fenced_json', 'raw']),
  parse_error: z.string().nullable(),
  error: z.string().nullable(),
  /** The answer was cut: by the model's token cap (length), by max_answer_chars (answer_cap), or by a
   *  stream that died midway (stream_cut). A truncated draft is never usable. */
  truncated: z.enum(['length', 'answer_cap', 'stream_cut']).nullable().optional(),
  /** Schema 2: raw was identical to answer and is stored once (raw is ''). */
  raw_is_answer: z.boolean().optional(),
  /** A cancelled draft's `raw` is the text that had streamed before the cancel (its answer stays
   *  ''): kept for the reader, never judged, never published. */
  partial: z.boolean().optional(),
});
export type Draft = z.infer<typeof Draft>;

export const Subscores = z.object({
  task_fit: z.number().min(0).max(4),
  support: z.number().min(0).max(4),
  clarity: z.number().min(0).max(2),
});
export type Subscores = z.infer<typeof Subscores>;

export const DraftScore = z.object({
  draft_id: z.string(),
  /** scored: the judge scored it; unscored: the judge returned nothing for it; disqualified: a guardrail zeroed it. */
  status: z.enum(['scored', 'unscored', 'disqualified']),
  score: z.number().min(0).max(10).nullable(),
  subscores: Subscores.nullable(),
  reasons: z.string(),
  /** Per judge pass: the score that pass gave (averaged into `score`). */
  pass_scores: z.array(z.number().min(0).max(10).nullable()),
});
export type DraftScore = z.infer<typeof DraftScore>;

export const JudgePass = CallRecord.extend({
  n: z.number().int().min(1),
  /** main: the first order; swap: the reversed order; reask: asked again for labels a pass missed. */
  kind: z.enum(['main', 'swap', 'reask']).optional(),
  /** Draft ids in the order shown to the judge, and the anonymous label each got. */
  order: z.array(z.object({ draft_id: z.string(), label: z.string() })),
  status: z.enum(['ok', 'failed', 'timeout', 'cancelled']),
  raw: z.string(),
  error: z.string().nullable(),
});
export type JudgePass = z.infer<typeof JudgePass>;

export const Judge = z.object({
  /** partial: some drafts stayed unscored after a re-ask (they are never published). */
  status: z.enum(['ok', 'partial', 'failed', 'skipped']),
  /** Why the judge was skipped (fastpath, no drafts, budget) or failed. */
  reason: z.string().nullable(),
  model: ModelRef,
  passes: z.array(JudgePass),
  scores: z.array(DraftScore),
  /** Draft ids best first (ties: score, allowed-by-policy, support, provider order). */
  ranking: z.array(z.string()),
  /** Score gap between the top two after the first pass; null with fewer than two scored. */
  margin: z.number().nullable(),
  swap_pass: z.boolean(),
  /** Drafts written by the judge's own model (the judge judged itself); absent before schema 2. */
  self_judged: z.array(z.string()).optional(),
});
export type Judge = z.infer<typeof Judge>;

export const PUBLISH_STATUSES = ['published', 'advisory_only', 'none', 'pending_approval'] as const;
export const PublishStatus = z.enum(PUBLISH_STATUSES);
export type PublishStatus = z.infer<typeof PublishStatus>;

export const Publish = z.object({
  status: PublishStatus,
  draft_id: z.string().nullable(),
  provider: ProviderId.nullable(),
  model: z.string().nullable(),
  /** The released text (word for word the winning draft's answer, after redaction). */
  text: z.string().nullable(),
  reason: z.string(),
  /** Drafts passed over and why (policy, content checks, citations, grounding). */
  passed_over: z.array(z.object({ draft_id: z.string(), reasons: z.array(z.string()) })),
  /** True when the text was written by the chairman (publish: synthesize), not a draft verbatim. */
  synthesized: z.boolean().optional(),
});
export type Publish = z.infer<typeof Publish>;

// --- guardrails (issue 3) -------------------------------------------------------------------------
export const ContentCheck = z.object({
  draft_id: z.string(),
  passed: z.boolean(),
  failures: z.array(z.object({ check: z.string(), detail: z.string() })),
});

export const RedactionEvent = z.object({
  type: z.string(), // e.g. openai_key, email, credit_card
  rule: z.string(), // rule name (built-in or custom)
  count: z.number().int().min(1),
  where: z.string(), // task, draft:d1, publish, judge, log …
});
export type RedactionEvent = z.infer<typeof RedactionEvent>;

export const Grounding = z.object({
  corpus: z.object({
    path: z.string(),
    files: z.array(z.object({ path: z.string(), sha256: z.string(), bytes: z.number().int(), chunks: z.number().int() })),
  }),
  retrieved: z.array(z.object({ id: z.string(), file: z.string(), score: z.number(), text: z.string() })),
  citations: z.array(
    z.object({ draft_id: z.string(), citation: z.string(), valid: z.boolean(), matched: z.string().nullable() }),
  ),
  required: z.number().int(),
  outcome: z.enum(['passed', 'failed', 'not_checked']),
  reason: z.string().nullable(),
});
export type Grounding = z.infer<typeof Grounding>;

export const Approval = z.object({
  required: z.boolean(),
  state: z.enum(['not_required', 'pending', 'approved', 'rejected']),
  decided_by: z.string().nullable(),
  decided_at: IsoTime.nullable(),
  reason: z.string().nullable(),
});
export type Approval = z.infer<typeof Approval>;

export const Guardrails = z.object({
  checks: z.array(ContentCheck),
  redaction: z.object({
    enabled: z.boolean(),
    rules_file: z.string().nullable(),
    events: z.array(RedactionEvent),
    /** Whether providers got redacted text (task, passages, judge prompt). Absent before schema 2. */
    outbound: z.boolean().optional(),
    /** The custom rules file's content as used (replay uses it). */
    rules_content: z.string().nullable().optional(),
  }),
  grounding: Grounding.nullable(),
});
export type Guardrails = z.infer<typeof Guardrails>;

export const StageCost = z.object({
  usd: z.number().min(0).nullable(), // null when any call in the stage is unpriced
  input_tokens: z.number().int().min(0),
  output_tokens: z.number().int().min(0),
});

export const Cost = z.object({
  currency: z.literal('USD'),
  projected_usd: z.number().min(0).nullable(),
  projected_tokens: z.number().int().min(0),
  debate: StageCost,
  judge: StageCost,
  total: StageCost,
  unpriced_models: z.array(z.string()),
  /** Tokens counted by estimate for calls that reported no usage (budgets include them). */
  estimated_tokens: z.number().int().min(0).optional(),
  /** The price entries used (USD per million tokens), so the artifact explains its own cost. */
  prices: z.array(z.object({ provider: z.string(), model: z.string(), input_per_mtok: z.number(), output_per_mtok: z.number() })).optional(),
  budget: z.object({
    usd: z.number().nullable(),
    tokens: z.number().int().nullable(),
    /** Set when the budget stopped new calls mid-run. */
    exceeded: z.boolean(),
    detail: z.string().nullable(),
  }),
});
export type Cost = z.infer<typeof Cost>;

export const Identity = z.object({
  /** The verified user (email or subject), or the local OS user for CLI/desktop runs. */
  user: z.string(),
  /** How it was established: local, alb, iap, cloudflare, proxy, none. */
  source: z.enum(['local', 'none', 'alb', 'iap', 'cloudflare', 'proxy']),
});
export type Identity = z.infer<typeof Identity>;

/** A run's place in a batch: the batch id, the row's key and which attempt of that row it is. */
export const BatchLink = z.object({ id: z.string(), row_key: z.string(), attempt: z.number().int().min(1) });
export type BatchLink = z.infer<typeof BatchLink>;

export const Provenance = z.object({
  app_version: z.string(),
  git_sha: z.string().nullable(),
  runtime: z.object({ node: z.string(), platform: z.string(), arch: z.string(), surface: z.enum(['cli', 'server', 'desktop', 'test']) }),
  identity: Identity,
  /** When this run replays another. */
  replay_of: z.string().nullable(),
  /** When this run is one row of a batch (absent on runs started alone and on older artifacts). */
  batch: BatchLink.optional(),
});
export type Provenance = z.infer<typeof Provenance>;

/** The synthesis step (publish: synthesize): the chairman's call and the drafts it drew on. */
export const Synthesis = CallRecord.extend({
  from: z.array(z.string()),
  status: z.enum(['ok', 'failed', 'timeout', 'cancelled', 'skipped']),
  text: z.string(),
  error: z.string().nullable(),
});
export type Synthesis = z.infer<typeof Synthesis>;

export const RunArtifact = z.object({
  schema_version: z.union([z.literal(1), z.literal(2)]),
  id: z.string().regex(RUN_ID_RE, 'run id must be a ULID'),
  created_at: IsoTime,
  finished_at: IsoTime,
  task: z.string(),
  parameters: RunParameters,
  /** Convenience copy of publish.status (what history filters on). */
  status: PublishStatus,
  /** Set when the run was cancelled by the user or a shutdown deadline; what existed is saved. */
  interrupted: z.string().nullable(),
  drafts: z.array(Draft),
  judge: Judge,
  publish: Publish,
  guardrails: Guardrails,
  approval: Approval,
  cost: Cost,
  provenance: Provenance,
  timings_ms: z.object({ debate: z.number(), judge: z.number(), publish: z.number(), total: z.number() }),
  /** The template the task was rendered from (id, version, input values); absent or null otherwise. */
  template: TemplateUse.nullable().optional(),
  /** The run's place in its thread (issue 12); absent in artifacts written before threads existed. */
  thread: ThreadInfo.optional(),
  /** Files attached to the run (its grounding corpus); absent in older artifacts. */
  attachments: z.array(RunAttachment).optional(),
  /** The policy content that applied (replay uses it; a moved or edited policy file changes nothing). */
  policy: PolicySpec.extend({ source: z.enum(['builtin', 'file', 'inline']), path: z.string().nullable() }).optional(),
  /** Every warning the run emitted (one usable draft, judge judged itself, unscored drafts …). */
  warnings: z.array(z.string()).optional(),
  synthesis: Synthesis.nullable().optional(),
  /** Notifications sent for the run (Slack, Teams, email), one record per channel and event; absent when none. */
  notifications: z.array(NotificationRecord).optional(),
});

/** A draft's raw model text, for both schema versions (schema 2 stores raw once when it equals answer). */
export function rawText(d: Pick<Draft, 'raw' | 'answer' | 'raw_is_answer'>): string {
  return d.raw_is_answer ? d.answer : d.raw;
}
export type RunArtifact = z.infer<typeof RunArtifact>;
