// Pre-run cost projection: an upper-bound estimate of tokens and USD for a run, checked against
// budget_usd / budget_tokens before anything is launched.
//
// Per debater: input = prompt overhead + the task (+ grounded passages), output = max_tokens.
// Per judge call: input = overhead + the task + every draft at max_tokens, output = judge_max_tokens
// (the judge's own cap: a reasoning judge may spend all of it). Judge passes: judge_passes 1 → one,
// 2 → two, auto → two whenever margin_threshold > 0 (the swap pass runs when the top two are closer
// than that); each pass may be followed by one re-ask for labels it missed (projected too, so the
// figure stays an upper bound). A single debater gets one judge pass, none on fastpath. With
// publish: synthesize, the chairman's call is projected as a judge-stage call.
import type { CostProjection, RunParameters } from '../api/index.js';
import type { Pricing } from './pricing.js';
import { roundUsd } from './pricing.js';

export const DEBATE_OVERHEAD_TOKENS = 200;
export const JUDGE_OVERHEAD_TOKENS = 250;
export const JUDGE_TOKENS_PER_DRAFT_OUT = 90;
/** The synthesis step reads at most this many top-ranked drafts. */
export const SYNTHESIS_DRAFTS = 3;
export const SYNTHESIS_OVERHEAD_TOKENS = 250;
export const JUDGE_TOKENS_PER_DRAFT_IN = 30;
/** Grounded mode adds up to this many retrieved-passage tokens to each debater's prompt. */
export const GROUNDED_CONTEXT_TOKENS = 1000;

/** Rough token count: ~4 characters per token for ASCII text, one per character otherwise. */
export function estimateTokens(text: string): number {
  let ascii = 0;
  let other = 0;
  for (const ch of text) {
    if (ch.charCodeAt(0) < 128) ascii++;
    else other++;
  }
  return Math.ceil(ascii / 4) + other;
}

export interface ProjectionOptions {
  /** Override the judge passes projected (default: see the header comment). */
  judgePasses?: number;
  /** Actual grounded context length in characters, when known. */
  contextChars?: number;
}

type ProjectionParams = Pick<
  RunParameters,
  'debaters' | 'judge' | 'max_tokens' | 'max_debaters' | 'fastpath' | 'margin_threshold' | 'grounded_corpus' | 'budget_usd' | 'budget_tokens'
> &
  Partial<Pick<RunParameters, 'judge_passes' | 'judge_max_tokens' | 'publish' | 'chairman'>>;

export function projectCost(task: string, params: ProjectionParams, pricing: Pricing, opts: ProjectionOptions = {}): CostProjection {
  const debaters = params.debaters.slice(0, params.max_debaters);
  const taskTokens = estimateTokens(task);
  const contextTokens =
    opts.contextChars !== undefined ? Math.ceil(opts.contextChars / 4) : params.grounded_corpus ? GROUNDED_CONTEXT_TOKENS : 0;
  const calls: CostProjection['calls'] = [];
  const unpriced = new Set<string>();
  const add = (stage: 'debate' | 'judge', provider: CostProjection['calls'][number]['provider'], model: string, input: number, output: number) => {
    const usd = pricing.usd(provider, model, { input_tokens: input, output_tokens: output });
    if (usd === null) unpriced.add(`${provider}/${model}`);
    calls.push({ stage, provider, model, input_tokens: input, output_tokens: output, usd });
  };

  for (const d of debaters) add('debate', d.provider, d.model, DEBATE_OVERHEAD_TOKENS + taskTokens + contextTokens, params.max_tokens);

  const n = debaters.length;
  const mode = params.judge_passes ?? 'auto';
  const two = mode === '2' || (mode === 'auto' && params.margin_threshold > 0);
  const passes = opts.judgePasses ?? (n >= 2 ? (mode === '1' ? 1 : two ? 2 : 1) : params.fastpath ? 0 : 1);
  // Schema-1 parameters have no judge cap: the judge got max(max_tokens, 200 + 120 per draft).
  const judgeOut = params.judge_max_tokens ?? Math.max(params.max_tokens, 200 + 120 * n);
  const judgeIn = (drafts: number) => JUDGE_OVERHEAD_TOKENS + taskTokens + drafts * (params.max_tokens + JUDGE_TOKENS_PER_DRAFT_IN);
  for (let p = 0; p < passes; p++) {
    add('judge', params.judge.provider, params.judge.model, judgeIn(n), judgeOut);
    if (n >= 2) add('judge', params.judge.provider, params.judge.model, judgeIn(n - 1), judgeOut); // a re-ask for missed labels
  }
  if (params.publish === 'synthesize' && params.chairman && n >= 1) {
    const top = Math.min(n, SYNTHESIS_DRAFTS);
    add('judge', params.chairman.provider, params.chairman.model, SYNTHESIS_OVERHEAD_TOKENS + taskTokens + top * (params.max_tokens + JUDGE_TOKENS_PER_DRAFT_IN), params.max_tokens);
  }

  const totalTokens = calls.reduce((s, c) => s + c.input_tokens + c.output_tokens, 0);
  const totalUsd = unpriced.size ? null : roundUsd(calls.reduce((s, c) => s + (c.usd ?? 0), 0));
  const problems: string[] = [];
  if (params.budget_usd !== null) {
    if (totalUsd === null)
      problems.push(
        `budget_usd: cannot check $${params.budget_usd} against unpriced model(s) ${[...unpriced].join(', ')} (add their prices with DJP_PRICING_FILE)`,
      );
    else if (totalUsd > params.budget_usd)
      problems.push(`budget_usd: projected $${fmtUsd(totalUsd)} exceeds the budget of $${params.budget_usd}`);
  }
  if (params.budget_tokens !== null && totalTokens > params.budget_tokens)
    problems.push(`budget_tokens: projected ${totalTokens} tokens exceed the budget of ${params.budget_tokens}`);

  return {
    currency: 'USD',
    calls,
    total_usd: totalUsd,
    total_tokens: totalTokens,
    unpriced_models: [...unpriced],
    within_budget: problems.length === 0,
    budget_detail: problems.length ? problems.join('; ') : null,
  };
}

/** The budget field a failed projection is about (for DjpError('budget_exceeded', …, field)). */
export function budgetField(projection: CostProjection): 'budget_usd' | 'budget_tokens' | undefined {
  const d = projection.budget_detail ?? '';
  return d.startsWith('budget_usd') ? 'budget_usd' : d.startsWith('budget_tokens') ? 'budget_tokens' : undefined;
}

export function fmtUsd(usd: number): string {
  return usd >= 0.01 ? usd.toFixed(2) : usd === 0 ? '0.00' : usd.toPrecision(2);
}
