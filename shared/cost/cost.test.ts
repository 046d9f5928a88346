import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeParams } from '../../test/fixtures/sample-artifact.js';
import { createCostMeter } from './meter.js';
import { baseNames, loadPricing } from './pricing.js';
import { budgetField, estimateTokens, projectCost } from './projection.js';

const usage = (i: number, o: number) => ({ input_tokens: i, output_tokens: o, total_tokens: i + o });
const noEnv = {};

describe('pricing', () => {
  const pricing = loadPricing(null, noEnv);

  it('prices known models per million tokens', () => {
    expect(pricing.lookup('openai', 'gpt-5.4')).toEqual({ input: 2.5, output: 15 });
    expect(pricing.usd('openai', 'gpt-5.4', usage(1_000_000, 100_000))).toBe(4);
    expect(pricing.usd('anthropic', 'claude-sonnet-4-6', usage(2000, 1000))).toBe(0.021);
    expect(pricing.usd('google', 'gemini-2.5-flash', usage(1000, 1000))).toBe(0.0028);
  });

  it('has a price for every default model of the provider registry', async () => {
    const { PROVIDER_SPECS } = await import('../providers/registry.js');
    const missing = PROVIDER_SPECS.filter((s) => s.id !== 'openai_compatible')
      .flatMap((s) => [s.model, s.judgeModel, ...s.models].map((m) => [s.id, m] as const))
      .filter(([p, m]) => pricing.lookup(p, m) === null);
    expect(missing).toEqual([]);
  });

  it('matches dated snapshots to their base model, but not other variants', () => {
    expect(pricing.lookup('anthropic', 'claude-haiku-4-5-20251001')).toEqual({ input: 1, output: 5 });
    expect(pricing.lookup('openai', 'gpt-4.1-2025-04-14')).toEqual({ input: 2, output: 8 });
    expect(pricing.lookup('google', 'models/gemini-2.5-flash-preview-05-20')).toEqual({ input: 0.3, output: 2.5 });
    expect(pricing.lookup('anthropic', 'claude-sonnet-4-5@20250929')).toEqual({ input: 3, output: 15 });
    expect(pricing.lookup('openai', 'gpt-5.4-turbo-max')).toBeNull();
    expect(baseNames('claude-3-5-haiku-20241022')).toEqual(['claude-3-5-haiku-20241022', 'claude-3-5-haiku']);
  });

  it('an unknown model is unpriced (null), never $0; offline models cost 0 explicitly', () => {
    expect(pricing.lookup('openai_compatible', 'llama3.1')).toBeNull();
    expect(pricing.usd('openai_compatible', 'llama3.1', usage(1000, 1000))).toBeNull();
    expect(pricing.usd('openai', 'gpt-5.4', null)).toBeNull();
    expect(pricing.usd('offline', 'offline/alpha', usage(1000, 1000))).toBe(0);
    // a tiny priced call is not rounded away to $0
    expect(pricing.usd('openai', 'gpt-5-nano', usage(3, 0))).toBeGreaterThan(0);
  });

  it('an override file (DJP_PRICING_FILE) merges over the built-in table', () => {
    const dir = mkdtempSync(join(tmpdir(), 'djp-pricing-'));
    const file = join(dir, 'prices.json');
    writeFileSync(file, JSON.stringify({ models: { 'llama3.1': { input: 0, output: 0 }, 'gpt-5.4': { input: 1, output: 2 } } }));
    const p = loadPricing(undefined, { DJP_PRICING_FILE: file });
    expect(p.sources).toEqual(['built-in', file]);
    expect(p.usd('openai_compatible', 'llama3.1', usage(5000, 5000))).toBe(0);
    expect(p.lookup('openai', 'gpt-5.4')).toEqual({ input: 1, output: 2 });
    expect(p.lookup('anthropic', 'claude-opus-4-6')).toEqual({ input: 5, output: 25 });
  });

  it('a bad override file is a clear error naming the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'djp-pricing-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ models: { 'gpt-x': { input: -1, output: 2 } } }));
    expect(() => loadPricing(file, noEnv)).toThrow(/pricing file .*bad\.json: models\.gpt-x\.input: must be ≥ 0/);
    writeFileSync(file, '{');
    expect(() => loadPricing(file, noEnv)).toThrow(/not valid JSON/);
    expect(() => loadPricing(join(dir, 'none.json'), noEnv)).toThrow(/file not found/);
  });
});

describe('projection', () => {
  const pricing = loadPricing(null, noEnv);

  it('estimates tokens from the task, overhead and max_tokens per debater; judge input includes drafts, output is judge_max_tokens', () => {
    expect(estimateTokens('abcd'.repeat(10))).toBe(10);
    expect(estimateTokens('日本語')).toBe(3);
    const task = 'x'.repeat(400); // 100 tokens
    const p = projectCost(task, makeParams({ max_tokens: 1000, judge_max_tokens: 500 }), pricing);
    // two passes (auto, margin_threshold 2), each with a possible re-ask for one missed draft
    expect(p.calls.map((c) => [c.stage, c.model, c.input_tokens, c.output_tokens])).toEqual([
      ['debate', 'gpt-5.4-mini', 300, 1000],
      ['debate', 'claude-sonnet-4-6', 300, 1000],
      ['judge', 'gpt-5.4', 250 + 100 + 2 * 1030, 500],
      ['judge', 'gpt-5.4', 250 + 100 + 1030, 500],
      ['judge', 'gpt-5.4', 250 + 100 + 2 * 1030, 500],
      ['judge', 'gpt-5.4', 250 + 100 + 1030, 500],
    ]);
    const expected = (300 * 0.75 + 1000 * 4.5 + 300 * 3 + 1000 * 15 + 2 * (2410 * 2.5 + 500 * 15) + 2 * (1380 * 2.5 + 500 * 15)) / 1e6;
    expect(p.total_usd).toBeCloseTo(expected, 6);
    expect(p.total_tokens).toBe(1300 * 2 + 2 * (2910 + 1880));
    expect(p).toMatchObject({ within_budget: true, budget_detail: null, unpriced_models: [] });
  });

  it('a single debater on fastpath projects no judge call', () => {
    const p = projectCost('t', makeParams({ debaters: [{ provider: 'offline', model: 'offline/alpha' }], fastpath: true }), pricing);
    expect(p.calls.map((c) => c.stage)).toEqual(['debate']);
    expect(p.total_usd).toBe(0);
  });

  it('flags projections over budget_usd or budget_tokens, naming the field', () => {
    const overUsd = projectCost('t', makeParams({ budget_usd: 0.001 }), pricing);
    expect(overUsd.within_budget).toBe(false);
    expect(overUsd.budget_detail).toMatch(/^budget_usd: projected \$0\.\d+ exceeds the budget of \$0\.001$/);
    expect(budgetField(overUsd)).toBe('budget_usd');
    const overTok = projectCost('t', makeParams({ budget_tokens: 100 }), pricing);
    expect(overTok.within_budget).toBe(false);
    expect(budgetField(overTok)).toBe('budget_tokens');
    expect(projectCost('t', makeParams({ budget_usd: 10, budget_tokens: 100_000 }), pricing).within_budget).toBe(true);
  });

  it('an unpriced model makes the total null and a USD budget uncheckable', () => {
    const params = makeParams({ debaters: [{ provider: 'openai_compatible', model: 'llama3.1' }, { provider: 'openai', model: 'gpt-5.4-mini' }] });
    const p = projectCost('t', params, pricing);
    expect(p.total_usd).toBeNull();
    expect(p.unpriced_models).toEqual(['openai_compatible/llama3.1']);
    expect(p.calls[0]!.usd).toBeNull();
    expect(p.calls[1]!.usd).toBeGreaterThan(0);
    const b = projectCost('t', { ...params, budget_usd: 5 }, pricing);
    expect(b.within_budget).toBe(false);
    expect(b.budget_detail).toMatch(/budget_usd: cannot check \$5 against unpriced model\(s\) openai_compatible\/llama3\.1/);
  });
});

describe('cost meter', () => {
  const pricing = loadPricing(null, noEnv);

  it('records real usage per call, per stage and per run', () => {
    const m = createCostMeter(makeParams(), null, { pricing });
    expect(m.price('openai', 'gpt-5.4-mini', usage(1000, 1000))).toBe(0.00525);
    m.record('debate', 'openai', 'gpt-5.4-mini', usage(1000, 1000));
    m.record('debate', 'anthropic', 'claude-sonnet-4-6', usage(2000, 500));
    m.record('judge', 'openai', 'gpt-5.4', usage(4000, 300));
    const s = m.summary();
    expect(s.debate).toEqual({ usd: 0.00525 + 0.0135, input_tokens: 3000, output_tokens: 1500 });
    expect(s.judge).toEqual({ usd: 0.0145, input_tokens: 4000, output_tokens: 300 });
    expect(s.total.usd).toBeCloseTo(0.03325, 9);
    expect(s.total.input_tokens).toBe(7000);
    expect(s.unpriced_models).toEqual([]);
  });

  it('an unpriced call makes its stage and the total null and lists the model', () => {
    const m = createCostMeter(makeParams(), null, { pricing });
    m.record('debate', 'openai_compatible', 'llama3.1', usage(100, 100));
    m.record('judge', 'openai', 'gpt-5.4', usage(100, 100));
    const s = m.summary();
    expect(s.debate.usd).toBeNull();
    expect(s.judge.usd).not.toBeNull();
    expect(s.total.usd).toBeNull();
    expect(s.unpriced_models).toEqual(['openai_compatible/llama3.1']);
  });

  it('a call cut off without usage (timeout/cancel) makes its stage and the total unknown (null), not $0', () => {
    const m = createCostMeter(makeParams(), null, { pricing });
    m.record('debate', 'openai', 'gpt-5.4-mini', null);
    let s = m.summary();
    expect(s.debate.usd).toBeNull();
    expect(s.judge.usd).toBe(0); // no judge call: $0 is known
    expect(s.total.usd).toBeNull();
    expect(s.unpriced_models).toEqual([]); // the model is priced; its usage is what is unknown
    m.record('judge', 'openai', 'gpt-5.4', usage(100, 100));
    s = m.summary();
    expect(s.judge.usd).toBeGreaterThan(0);
    expect(s.total.usd).toBeNull();
    // an unpriced model with unknown usage is also listed as unpriced
    const u = createCostMeter(makeParams(), null, { pricing });
    u.record('debate', 'openai_compatible', 'llama3.1', null);
    expect(u.summary().unpriced_models).toEqual(['openai_compatible/llama3.1']);
  });

  it('a free (offline) model cut off without usage still costs a known $0', () => {
    const m = createCostMeter(makeParams(), null, { pricing });
    m.record('debate', 'offline', 'offline/alpha', null);
    expect(m.summary().total.usd).toBe(0);
  });

  it('carries the projection into the summary', () => {
    const proj = projectCost('task', makeParams(), pricing);
    const s = createCostMeter(makeParams(), proj, { pricing }).summary();
    expect(s.projected_usd).toBe(proj.total_usd);
    expect(s.projected_tokens).toBe(proj.total_tokens);
  });

  it('budget_usd: stops new calls once actual spend crosses it, and says so', () => {
    const m = createCostMeter(makeParams({ budget_usd: 0.01 }), null, { pricing });
    m.record('debate', 'openai', 'gpt-5.4-mini', usage(1000, 1000)); // $0.00525
    expect(m.canLaunch()).toEqual({ ok: true, reason: null });
    expect(m.summary().budget.exceeded).toBe(false);
    m.record('debate', 'openai', 'gpt-5.4-mini', usage(1000, 1000)); // $0.0105 ≥ $0.01
    const c = m.canLaunch();
    expect(c.ok).toBe(false);
    expect(c.reason).toMatch(/^budget_usd reached: actual spend \$0\.01 ≥ budget \$0\.01; no new calls were launched$/);
    expect(m.summary().budget).toEqual({ usd: 0.01, tokens: null, exceeded: true, detail: c.reason });
  });

  it('budget_tokens: stops new calls once actual tokens cross it', () => {
    const m = createCostMeter(makeParams({ budget_tokens: 1000 }), null, { pricing });
    m.record('debate', 'openai_compatible', 'llama3.1', usage(600, 300));
    expect(m.canLaunch().ok).toBe(true);
    m.record('debate', 'openai_compatible', 'llama3.1', usage(100, 50));
    expect(m.canLaunch()).toEqual({ ok: false, reason: 'budget_tokens reached: 1050 tokens used ≥ budget 1000; no new calls were launched' });
    expect(m.summary().budget.exceeded).toBe(true);
  });
});

describe('projection: judge passes follow the pipeline', () => {
  const pricing = loadPricing(null, {});
  it('no swap pass is projected when margin_threshold is 0 or judge_passes is 1; judge_passes 2 always projects two', () => {
    const judgeCalls = (over: Parameters<typeof makeParams>[0]) => projectCost('t', makeParams(over), pricing).calls.filter((c) => c.stage === 'judge').length;
    expect(judgeCalls({ margin_threshold: 0 })).toBe(2); // one pass and its re-ask
    expect(judgeCalls({ judge_passes: '1' })).toBe(2);
    expect(judgeCalls({ judge_passes: '2', margin_threshold: 0 })).toBe(4);
  });
});
