// Pre-run cost projection: an upper-bound estimate of tokens and USD for a run, checked against
// budget_usd / budget_tokens before anything is launched.
//
// Per debater: input = prompt overhead + the task (+ grounded passages), output = max_tokens.
// Per judge pass: input = overhead + the task + every draft at max_tokens, output = a score entry per
// draft (capped at max_tokens). With two or more debaters, a second (swap) judge pass is projected
// whenever margin_threshold > 0 (it runs when the top two are closer than that); a single debater
// gets one judge pass, none on fastpath.
import type { CostProjection, RunParameters } from '../api/index.js';
import type { Pricing } from './pricing.js';
import { roundUsd } from './pricing.js';

export const DEBATE_OVERHEAD_TOKENS = 200;
export const JUDGE_OVERHEAD_TOKENS = 250;
export const JUDGE_TOKENS_PER_DRAFT_OUT = 90;
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
>;

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

  const passes = opts.judgePasses ?? (debaters.length >= 2 ? (params.margin_threshold > 0 ? 2 : 1) : params.fastpath ? 0 : 1);
  const n = debaters.length;
  for (let p = 0; p < passes; p++) {
    const input = JUDGE_OVERHEAD_TOKENS + taskTokens + n * (params.max_tokens + JUDGE_TOKENS_PER_DRAFT_IN);
    const output = Math.min(params.max_tokens, 20 + n * JUDGE_TOKENS_PER_DRAFT_OUT);
    add('judge', params.judge.provider, params.judge.model, input, output);
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
