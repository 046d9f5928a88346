// The run's cost meter: prices each finished call from its real usage, keeps per-stage totals, and
// stops new calls once actual spend has crossed budget_usd / budget_tokens.
//
// A call with an unpriced model makes its stage's (and the run's) USD null — unpriced, never $0 —
// and lists the model in unpriced_models. A call recorded with no usage (it was cut off by a timeout
// or a cancel, or its response reported none) may still have been billed: its stage's USD is null
// (unknown, never a silent $0) unless the model is priced at zero (offline). Calls that failed with
// an HTTP error are not billed and are not recorded at all.
import type { Cost, CostProjection, RunParameters, Usage } from '../api/index.js';
import type { CostMeter } from '../djp/hooks.js';
import { loadPricing, roundUsd, type Pricing } from './pricing.js';
import { fmtUsd } from './projection.js';

type Stage = 'debate' | 'judge';

interface StageTotals {
  usd: number;
  priced: boolean;
  input: number;
  output: number;
}

export interface CostMeterOptions {
  pricing?: Pricing;
}

export function createCostMeter(
  params: Pick<RunParameters, 'budget_usd' | 'budget_tokens'>,
  projection: CostProjection | null,
  opts: CostMeterOptions = {},
): CostMeter & { spentUsd(): number; spentTokens(): number } {
  const pricing = opts.pricing ?? loadPricing();
  const stages: Record<Stage, StageTotals> = {
    debate: { usd: 0, priced: true, input: 0, output: 0 },
    judge: { usd: 0, priced: true, input: 0, output: 0 },
  };
  const unpriced = new Set<string>();
  // Calls without usage: budgets count an estimate of their tokens (and say so).
  let estimated = 0;
  const used = new Map<string, { provider: string; model: string; input_per_mtok: number; output_per_mtok: number }>();
  const notePrice = (provider: string, model: string) => {
    const rate = pricing.lookup(provider, model);
    if (rate) used.set(`${provider}/${model}`, { provider, model, input_per_mtok: rate.input, output_per_mtok: rate.output });
  };
  let exceeded = false;
  let detail: string | null = null;

  const spentUsd = () => roundUsd(stages.debate.usd + stages.judge.usd);
  const spentTokens = () => stages.debate.input + stages.debate.output + stages.judge.input + stages.judge.output + estimated;

  const over = (): string | null => {
    if (params.budget_usd !== null && spentUsd() >= params.budget_usd) {
      const partial = stages.debate.priced && stages.judge.priced ? '' : ' (counting priced calls with known usage only)';
      return `budget_usd reached: actual spend $${fmtUsd(spentUsd())}${partial} ≥ budget $${params.budget_usd}; no new calls were launched`;
    }
    if (params.budget_tokens !== null && spentTokens() >= params.budget_tokens)
      return `budget_tokens reached: ${spentTokens()} tokens used${estimated ? ` (${estimated} of them estimated for calls that reported no usage)` : ''} ≥ budget ${params.budget_tokens}; no new calls were launched`;
    return null;
  };

  const stageCost = (s: StageTotals) => ({ usd: s.priced ? roundUsd(s.usd) : null, input_tokens: s.input, output_tokens: s.output });

  return {
    price: (provider, model, usage) => pricing.usd(provider, model, usage),
    record(stage, provider, model, usage: Usage | null, estimate?: Usage) {
      const st = stages[stage];
      notePrice(provider, model);
      if (!usage) {
        if (estimate) estimated += estimate.input_tokens + estimate.output_tokens;
        const rate = pricing.lookup(provider, model);
        if (rate && rate.input === 0 && rate.output === 0) return; // free model: $0 is known
        st.priced = false;
        if (!rate) unpriced.add(`${provider}/${model}`);
        return;
      }
      st.input += usage.input_tokens;
      st.output += usage.output_tokens;
      const usd = pricing.usd(provider, model, usage);
      if (usd === null) {
        st.priced = false;
        unpriced.add(`${provider}/${model}`);
      } else st.usd += usd;
    },
    canLaunch() {
      const reason = over();
      if (reason) {
        exceeded = true;
        detail = reason;
        return { ok: false, reason };
      }
      return { ok: true, reason: null };
    },
    summary(): Cost {
      const total: StageTotals = {
        usd: stages.debate.usd + stages.judge.usd,
        priced: stages.debate.priced && stages.judge.priced,
        input: stages.debate.input + stages.judge.input,
        output: stages.debate.output + stages.judge.output,
      };
      return {
        currency: 'USD',
        projected_usd: projection?.total_usd ?? null,
        projected_tokens: projection?.total_tokens ?? 0,
        debate: stageCost(stages.debate),
        judge: stageCost(stages.judge),
        total: stageCost(total),
        unpriced_models: [...unpriced],
        ...(estimated ? { estimated_tokens: estimated } : {}),
        prices: [...used.values()],
        budget: { usd: params.budget_usd, tokens: params.budget_tokens, exceeded, detail },
      };
    },
    spentUsd,
    spentTokens,
  };
}
