import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../../shared/api/index.js';
import { sampleArtifact } from '../api/testdata.js';
import { costByDay, latencyByProvider, providerWinRate, statusMix } from './insights.js';

const run = (over: Partial<RunSummary>): RunSummary => ({
  id: 'x', created_at: '2026-11-24T10:00:00Z', task: 't', status: 'published', winner: null, providers: ['openai', 'anthropic'], cost_usd: 0.01, duration_ms: 10, ...over,
});

describe('insights aggregates', () => {
  const runs = [
    run({ created_at: '2026-11-25T01:00:00Z', cost_usd: 0.02, winner: { provider: 'openai', model: 'm' } }),
    run({ created_at: '2026-11-24T23:00:00Z', cost_usd: null, status: 'advisory_only', winner: { provider: 'anthropic', model: 'm' } }),
    run({ created_at: '2026-11-24T01:00:00Z', cost_usd: 0.01, winner: { provider: 'openai', model: 'm' }, providers: ['openai'] }),
  ];

  it('sums cost per day oldest first and counts unpriced runs', () => {
    expect(costByDay(runs)).toEqual({ points: [{ label: '2026-11-24', value: 0.01 }, { label: '2026-11-25', value: 0.02 }], unpriced: 1 });
  });

  it('counts statuses, most common first', () => {
    expect(statusMix(runs)).toEqual([{ label: 'published', value: 2 }, { label: 'advisory_only', value: 1 }]);
  });

  it('win rate is wins over runs the provider took part in', () => {
    const w = providerWinRate(runs);
    expect(w.find((p) => p.label === 'openai')).toMatchObject({ wins: 2, runs: 3 });
    expect(w.find((p) => p.label === 'anthropic')).toMatchObject({ wins: 1, runs: 2, value: 0.5 });
  });

  it('averages latency of successful drafts per provider', () => {
    const a = sampleArtifact();
    const d = a.drafts[0]!;
    const b = sampleArtifact({ drafts: [{ ...d, latency_ms: 15 }, { ...d, id: 'd2', status: 'failed', latency_ms: 999 }] });
    expect(latencyByProvider([a, b])).toEqual([{ label: 'offline', value: 10, max: 15, calls: 2 }]);
  });
});
