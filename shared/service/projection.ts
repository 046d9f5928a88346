// The service's default cost projection when no pricing is plugged in: token estimates only, every
// model unpriced (USD null — never a silent $0). shared/cost supplies the priced projection.
import type { CostProjection, RunParameters } from '../api/index.js';

const est = (s: string) => Math.max(1, Math.ceil(s.length / 4));

export function unpricedProjection(task: string, params: RunParameters): CostProjection {
  const calls: CostProjection['calls'] = params.debaters.map((m) => ({ stage: 'debate', provider: m.provider, model: m.model, input_tokens: 200 + est(task), output_tokens: params.max_tokens, usd: null }));
  const n = params.debaters.length;
  const passes = n < 2 || params.fastpath ? (n < 2 ? (params.fastpath ? 0 : 1) : 1) : params.margin_threshold > 0 ? 2 : 1;
  for (let i = 0; i < passes; i++) {
    calls.push({ stage: 'judge', provider: params.judge.provider, model: params.judge.model, input_tokens: 250 + est(task) + n * params.max_tokens, output_tokens: Math.min(params.max_tokens, 90 * n + 50), usd: null });
  }
  const total = calls.reduce((a, c) => a + c.input_tokens + c.output_tokens, 0);
  const overTokens = params.budget_tokens !== null && total > params.budget_tokens;
  return {
    currency: 'USD',
    calls,
    total_usd: null,
    total_tokens: total,
    unpriced_models: [...new Set(calls.map((c) => `${c.provider}/${c.model}`))],
    within_budget: !overTokens,
    budget_detail: overTokens ? `projected ${total} tokens exceed budget_tokens ${params.budget_tokens}` : null,
  };
}
