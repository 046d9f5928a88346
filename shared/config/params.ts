// Resolves a RunRequest into RunParameters: explicit value > preset > DEFAULT_PARAMETERS.
// Presets only fill options the user left unset. Debaters and judge default from the configured
// providers; with no key anywhere the labelled offline provider runs; offline is never mixed in
// silently with real providers.
import { DEFAULT_PARAMETERS, DjpError, type ModelRef, type PolicySpec, type PresetName, type ProviderId, type RunParameters, type RunRequest } from '../api/index.js';
import { OFFLINE_MODELS } from '../providers/offline.js';
import type { ProviderRegistry } from '../providers/registry.js';

type Tunable = Partial<Omit<RunRequest, 'task' | 'preset' | 'debaters' | 'judge' | 'offline' | 'follow_up_of' | 'attachments' | 'chairman' | 'policy_content' | 'redaction_rules_content'>>;

export const PRESETS: Record<PresetName, { description: string; values: Tunable }> = {
  quick: { description: 'two debaters, short answers, fast path, one judge pass', values: { max_debaters: 2, max_tokens: 600, timeout_s: 30, fastpath: true, margin_threshold: 0, judge_passes: '1' } },
  thorough: { description: 'up to six debaters, long answers, both judge orders in parallel', values: { max_debaters: 6, max_tokens: 2000, timeout_s: 120, margin_threshold: 3, judge_passes: '2' } },
  research: { description: 'long answers that must cite their evidence, both judge orders in parallel', values: { max_tokens: 3000, timeout_s: 180, temperature: 0.2, require_citations: 2, margin_threshold: 3, judge_passes: '2' } },
  deterministic: { description: 'temperature 0 and a fixed seed, for reproducible runs', values: { temperature: 0, seed: 42, fastpath: false } },
};

/** With one configured provider, the default debate uses this many distinct models of it. */
export const SINGLE_PROVIDER_DEBATERS = 2;

/** The judge's output cap when none is given: room for a reasoning model's thinking plus one score
 *  entry per draft (reasoning tokens count against max_completion_tokens). */
export function defaultJudgeMaxTokens(drafts: number): number {
  return Math.max(4000, 1000 + 500 * drafts);
}

export interface ResolveContext {
  registry: ProviderRegistry;
}

function pick<K extends keyof Tunable>(req: RunRequest, preset: Tunable, key: K): Tunable[K] | undefined {
  return req[key] !== undefined ? req[key] : preset[key];
}

export function resolveRunParams(req: RunRequest, ctx: ResolveContext): RunParameters {
  const preset = req.preset ? PRESETS[req.preset].values : {};
  const D = DEFAULT_PARAMETERS;
  const reg = ctx.registry;
  const offline = req.offline === true || reg.offlineOnly();
  let maxDebaters = pick(req, preset, 'max_debaters') ?? D.max_debaters;

  const checkRef = (m: ModelRef, field: string) => {
    if (m.provider === 'offline') {
      if (!offline) throw new DjpError('invalid', `${field}: the offline provider is not mixed with real providers; pass offline: true (--offline) to use it`, field);
      if (!m.model.startsWith('offline/')) throw new DjpError('invalid', `${field}: offline models are named offline/* (got ${m.model})`, field);
      return;
    }
    if (offline) throw new DjpError('invalid', `${field}: ${m.provider} is a real provider but this run is offline${req.offline ? '' : ' (no provider key is configured)'}; ${req.offline ? 'drop offline' : reg.hint(m.provider)}`, field);
    if (!reg.isConfigured(m.provider)) throw new DjpError('invalid', `${field}: provider ${m.provider} is not configured: ${reg.hint(m.provider)}`, field);
  };

  let debaters: ModelRef[];
  if (req.debaters) {
    req.debaters.forEach((m, i) => checkRef(m, `debaters.${i}`));
    if (req.max_debaters !== undefined && req.debaters.length > req.max_debaters) {
      throw new DjpError('invalid', `debaters: ${req.debaters.length} given but max_debaters is ${req.max_debaters}`, 'debaters');
    }
    debaters = req.debaters.map((m) => ({ provider: m.provider, model: m.model }));
    maxDebaters = Math.max(maxDebaters, debaters.length);
  } else if (offline) {
    debaters = OFFLINE_MODELS.slice(0, maxDebaters).map((model) => ({ provider: 'offline' as ProviderId, model }));
  } else if (reg.configured().length === 1) {
    // One provider: a real debate still needs two voices — distinct models of it (DJP_<P>_MODELS),
    // the judge's model last so that the judge is not also a debater when the list allows it.
    const p = reg.configured()[0]!;
    const judgeModel = req.judge?.provider === p ? req.judge.model : reg.judgeModel(p);
    const models = reg.debateModels(p);
    const ordered = [...models.filter((m) => m !== judgeModel), ...models.filter((m) => m === judgeModel)];
    debaters = ordered.slice(0, Math.min(maxDebaters, SINGLE_PROVIDER_DEBATERS)).map((model) => ({ provider: p, model }));
  } else {
    debaters = reg.configured().slice(0, maxDebaters).map((p) => ({ provider: p, model: reg.defaultModel(p) }));
  }

  let judge: ModelRef;
  if (req.judge) {
    checkRef(req.judge, 'judge');
    judge = { provider: req.judge.provider, model: req.judge.model };
  } else if (offline) {
    judge = { provider: 'offline', model: reg.judgeModel('offline') };
  } else {
    // Prefer a configured provider that is not debating; else the first provider's judge model.
    const debating = new Set(debaters.map((d) => d.provider));
    const p = reg.configured().find((c) => !debating.has(c)) ?? reg.configured()[0]!;
    judge = { provider: p, model: reg.judgeModel(p) };
  }

  const publish = pick(req, preset, 'publish') ?? D.publish;
  let chairman: ModelRef | null = null;
  if (req.chairman) {
    if (publish !== 'synthesize') throw new DjpError('invalid', 'chairman: only used with publish: synthesize (--publish synthesize)', 'chairman');
    checkRef(req.chairman, 'chairman');
    chairman = { provider: req.chairman.provider, model: req.chairman.model };
  } else if (publish === 'synthesize') chairman = { ...judge };
  const redact = pick(req, preset, 'redact') ?? D.redact;
  for (const m of [...debaters, judge, ...(chairman ? [chairman] : [])]) {
    const pr = reg.problem(m.provider);
    if (pr) throw new DjpError('invalid', pr.message, pr.field);
  }

  return {
    preset: req.preset ?? null,
    debaters,
    judge,
    max_tokens: pick(req, preset, 'max_tokens') ?? D.max_tokens,
    temperature: pick(req, preset, 'temperature') ?? D.temperature,
    policy: pick(req, preset, 'policy') ?? req.policy_content?.name ?? D.policy,
    fastpath: pick(req, preset, 'fastpath') ?? D.fastpath,
    max_debaters: maxDebaters,
    timeout_s: pick(req, preset, 'timeout_s') ?? D.timeout_s,
    margin_threshold: pick(req, preset, 'margin_threshold') ?? D.margin_threshold,
    judge_passes: pick(req, preset, 'judge_passes') ?? D.judge_passes,
    judge_max_tokens: pick(req, preset, 'judge_max_tokens') ?? defaultJudgeMaxTokens(debaters.length),
    max_answer_chars: pick(req, preset, 'max_answer_chars') ?? D.max_answer_chars,
    publish,
    chairman,
    seed: pick(req, preset, 'seed') ?? D.seed,
    offline,
    require_citations: pick(req, preset, 'require_citations') ?? D.require_citations,
    grounded_corpus: pick(req, preset, 'grounded_corpus') ?? null,
    grounded_required: pick(req, preset, 'grounded_required') ?? D.grounded_required,
    redact,
    redaction_rules: pick(req, preset, 'redaction_rules') ?? null,
    // Outbound redaction follows redact unless set: with redaction off there is nothing to redact
    // beyond credentials, which the redactor masks either way.
    redact_outbound: pick(req, preset, 'redact_outbound') ?? (redact ? D.redact_outbound : false),
    require_approval: pick(req, preset, 'require_approval') ?? D.require_approval,
    budget_usd: pick(req, preset, 'budget_usd') ?? null,
    budget_tokens: pick(req, preset, 'budget_tokens') ?? null,
    context_tokens: pick(req, preset, 'context_tokens') ?? D.context_tokens,
  };
}

/** The request that reproduces a run's parameters (replay). `stored` carries the policy and
 *  redaction rules content the run used, so a moved or edited file changes nothing. */
export function requestFromParameters(task: string, p: RunParameters, stored: { policy?: PolicySpec | null; rules?: string | null } = {}): RunRequest {
  return {
    ...(stored.policy ? { policy_content: stored.policy } : {}),
    ...(stored.rules ? { redaction_rules_content: stored.rules } : {}),
    judge_passes: p.judge_passes,
    ...(p.judge_max_tokens !== null ? { judge_max_tokens: p.judge_max_tokens } : {}),
    ...(p.max_answer_chars !== null ? { max_answer_chars: p.max_answer_chars } : {}),
    publish: p.publish,
    ...(p.chairman && p.publish === 'synthesize' ? { chairman: p.chairman } : {}),
    redact_outbound: p.redact_outbound,
    task,
    ...(p.preset ? { preset: p.preset } : {}),
    debaters: p.debaters,
    judge: p.judge,
    max_tokens: p.max_tokens,
    temperature: p.temperature,
    policy: p.policy,
    fastpath: p.fastpath,
    max_debaters: Math.max(p.max_debaters, p.debaters.length),
    timeout_s: p.timeout_s,
    margin_threshold: p.margin_threshold,
    seed: p.seed,
    offline: p.offline,
    require_citations: p.require_citations,
    ...(p.grounded_corpus ? { grounded_corpus: p.grounded_corpus } : {}),
    grounded_required: p.grounded_required,
    redact: p.redact,
    ...(p.redaction_rules ? { redaction_rules: p.redaction_rules } : {}),
    require_approval: p.require_approval,
    ...(p.budget_usd !== null ? { budget_usd: p.budget_usd } : {}),
    ...(p.budget_tokens !== null ? { budget_tokens: p.budget_tokens } : {}),
    ...(p.context_tokens !== undefined ? { context_tokens: p.context_tokens } : {}),
  };
}
