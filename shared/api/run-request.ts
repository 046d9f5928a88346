// The run request: what a user asks for. Browser-safe: imports only zod.
//
// Every option is optional here so that presets can tell "left unset" from "set to the default".
// `resolveRunParams` (shared/config/params.ts) fills the gaps: explicit value > preset > default.
import * as z from 'zod';
import { AttachmentId, FollowUpOf } from './thread.js';

export const PROVIDER_IDS = ['openai', 'anthropic', 'google', 'openai_compatible', 'offline'] as const;
export const ProviderId = z.enum(PROVIDER_IDS);
export type ProviderId = z.infer<typeof ProviderId>;

export const ModelRef = z.object({
  provider: ProviderId,
  model: z.string().min(1).max(200),
});
export type ModelRef = z.infer<typeof ModelRef>;

/** Built-in publish policies. A JSON policy file may define others (see shared/config/policy.ts). */
export const POLICY_NAMES = ['none', 'openai_only', 'openai_preferred', 'all'] as const;
export const PRESET_NAMES = ['quick', 'thorough', 'research', 'deterministic'] as const;
/** auto: a second, reversed-order pass when the top two are close; 1: one pass; 2: both orders in parallel. */
export const JUDGE_PASSES = ['auto', '1', '2'] as const;
export const JudgePasses = z.enum(JUDGE_PASSES);
export type JudgePasses = z.infer<typeof JudgePasses>;
/** verbatim: the top-ranked draft word for word; synthesize: a chairman model writes the final answer from the top drafts. */
export const PUBLISH_MODES = ['verbatim', 'synthesize'] as const;
export const PublishMode = z.enum(PUBLISH_MODES);
export type PublishMode = z.infer<typeof PublishMode>;

/** A publish policy's content (built-in or from a file), as stored in artifacts and replayed. */
export const PolicySpec = z
  .object({
    name: z.string().min(1).max(100),
    publishes: z.boolean(),
    allow: z.union([z.literal('*'), z.array(z.string().max(300)).max(100)]),
    prefer: z.array(z.string().max(300)).max(100),
  })
  .strict();
export type PolicySpec = z.infer<typeof PolicySpec>;
export const PresetName = z.enum(PRESET_NAMES);
export type PresetName = z.infer<typeof PresetName>;

export const RunRequest = z
  .object({
    task: z.string().trim().min(1, 'task must not be empty').max(50_000, 'task is longer than 50,000 characters'),
    preset: PresetName.optional(),
    /** Debaters as provider/model pairs; default: one per configured provider, at most max_debaters. */
    debaters: z.array(ModelRef).min(1).max(6).optional(),
    /** The judge model; default: the first configured provider's judge model. */
    judge: ModelRef.optional(),
    max_tokens: z.number().int().min(1).max(200_000).optional(),
    temperature: z.number().min(0).max(2).optional(),
    /** A built-in policy name, or a path to a JSON policy file (CLI/desktop only; the server accepts names). */
    policy: z.string().min(1).max(500).optional(),
    /** The policy itself (replay sends the stored content; API clients may send a policy inline). */
    policy_content: PolicySpec.optional(),
    /** Fast path: skip the judge when exactly one usable draft exists. */
    fastpath: z.boolean().optional(),
    max_debaters: z.number().int().min(1).max(6).optional(),
    timeout_s: z.number().positive().max(3600).optional(),
    margin_threshold: z.number().min(0).max(10).optional(),
    /** Judge passes: auto (adaptive swap pass), 1, or 2 (both orders in parallel). */
    judge_passes: JudgePasses.optional(),
    /** Output-token cap of each judge call (default: fits a reasoning judge and the number of drafts). */
    judge_max_tokens: z.number().int().min(1).max(200_000).optional(),
    /** Per-call answer cap in characters: past it the stream is stopped and the draft marked truncated. */
    max_answer_chars: z.number().int().min(100).max(10_000_000).optional(),
    /** verbatim (default) or synthesize (a chairman writes the final answer from the top drafts). */
    publish: PublishMode.optional(),
    /** The chairman model for publish: synthesize (default: the judge). */
    chairman: ModelRef.optional(),
    seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
    /** Force the labelled offline provider even when keys are configured. */
    offline: z.boolean().optional(),

    // --- guardrails (issue 3) ---
    require_citations: z.number().int().min(0).max(100).optional(),
    /** Corpus folder for grounded mode (a path on the machine running the core). */
    grounded_corpus: z.string().min(1).max(4096).optional(),
    grounded_required: z.number().int().min(0).max(100).optional(),
    redact: z.boolean().optional(),
    /** Path to a JSON file of custom redaction rules. */
    redaction_rules: z.string().min(1).max(4096).optional(),
    /** The rules file's content (what replay sends, so a moved or edited file changes nothing). */
    redaction_rules_content: z.string().min(1).max(200_000).optional(),
    /** Send providers the redacted task, passages and judge prompt (default: on when redact is on). */
    redact_outbound: z.boolean().optional(),
    require_approval: z.boolean().optional(),
    budget_usd: z.number().positive().optional(),
    budget_tokens: z.number().int().positive().optional(),

    // --- threads and attachments (issue 12) ---
    /** The run this one follows up (its thread is carried into the prompts). */
    follow_up_of: FollowUpOf.optional(),
    /** Token budget for the earlier turns of the thread in the prompts (oldest shortened/dropped first). */
    context_tokens: z.number().int().min(0).max(200_000).optional(),
    /** Attachment ids (POST /api/attachments): the run's grounding corpus, with the thread's earlier ones. */
    attachments: z.array(AttachmentId).max(100).optional(),
  })
  .strict();
export type RunRequest = z.infer<typeof RunRequest>;

/** A run request with every default filled in; recorded in the artifact as `parameters`. */
export const RunParameters = z.object({
  preset: PresetName.nullable(),
  debaters: z.array(ModelRef),
  judge: ModelRef,
  max_tokens: z.number().int(),
  temperature: z.number(),
  policy: z.string(),
  fastpath: z.boolean(),
  max_debaters: z.number().int(),
  timeout_s: z.number(),
  margin_threshold: z.number(),
  // Fields added in artifact schema 2; the defaults describe what a schema-1 run did.
  judge_passes: JudgePasses.default('auto'),
  /** null: the cap followed max_tokens (schema-1 runs). */
  judge_max_tokens: z.number().int().nullable().default(null),
  /** null: no cap (schema-1 runs). */
  max_answer_chars: z.number().int().nullable().default(null),
  publish: PublishMode.default('verbatim'),
  chairman: ModelRef.nullable().default(null),
  seed: z.number().int(),
  offline: z.boolean(),
  require_citations: z.number().int(),
  grounded_corpus: z.string().nullable(),
  grounded_required: z.number().int(),
  redact: z.boolean(),
  redaction_rules: z.string().nullable(),
  /** Whether providers got the redacted text (false for schema-1 runs, which sent the raw task). */
  redact_outbound: z.boolean().default(false),
  require_approval: z.boolean(),
  budget_usd: z.number().nullable(),
  budget_tokens: z.number().int().nullable(),
  /** Absent in artifacts written before threads existed. */
  context_tokens: z.number().int().optional(),
});
export type RunParameters = z.infer<typeof RunParameters>;

export const DEFAULT_PARAMETERS = {
  max_tokens: 1200,
  temperature: 0.3,
  policy: 'all',
  judge_passes: 'auto',
  max_answer_chars: 50_000,
  publish: 'verbatim',
  redact_outbound: true,
  fastpath: false,
  max_debaters: 3,
  timeout_s: 60,
  margin_threshold: 2,
  seed: 0,
  offline: false,
  require_citations: 0,
  grounded_required: 0,
  redact: true,
  require_approval: false,
  context_tokens: 4000,
} as const;
