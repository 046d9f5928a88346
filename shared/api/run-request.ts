// The run request: what a user asks for. Browser-safe: imports only zod.
//
// Every option is optional here so that presets can tell "left unset" from "set to the default".
// `resolveRunParams` (shared/config/params.ts) fills the gaps: explicit value > preset > default.
import { z } from 'zod';
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
    /** Fast path: skip the judge when exactly one usable draft exists. */
    fastpath: z.boolean().optional(),
    max_debaters: z.number().int().min(1).max(6).optional(),
    timeout_s: z.number().positive().max(3600).optional(),
    margin_threshold: z.number().min(0).max(10).optional(),
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
  seed: z.number().int(),
  offline: z.boolean(),
  require_citations: z.number().int(),
  grounded_corpus: z.string().nullable(),
  grounded_required: z.number().int(),
  redact: z.boolean(),
  redaction_rules: z.string().nullable(),
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
  policy: 'openai_preferred',
  fastpath: false,
  max_debaters: 6,
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
