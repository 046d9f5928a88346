// Aggregates for the Insights screen, from run summaries (and, for latency, a sample of artifacts).
import type { RunArtifact, RunSummary } from '../../../shared/api/index.js';

export interface Point {
  label: string;
  value: number;
}

/** Total known cost per UTC day, oldest first (runs with unknown cost count as 0 and are tallied). */
export function costByDay(runs: RunSummary[]): { points: Point[]; unpriced: number } {
  const days = new Map<string, number>();
  let unpriced = 0;
  for (const r of runs) {
    const day = r.created_at.slice(0, 10);
    if (r.cost_usd === null) unpriced++;
    days.set(day, (days.get(day) ?? 0) + (r.cost_usd ?? 0));
  }
  return { points: [...days.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([label, value]) => ({ label, value })), unpriced };
}

export function statusMix(runs: RunSummary[]): Point[] {
  const counts = new Map<string, number>();
  for (const r of runs) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([label, value]) => ({ label, value }));
}

/** Per provider: the share of runs it took part in that it won (0..1), with the counts. */
export function providerWinRate(runs: RunSummary[]): Array<Point & { wins: number; runs: number }> {
  const stats = new Map<string, { wins: number; runs: number }>();
  for (const r of runs) {
    for (const p of new Set(r.providers)) {
      const s = stats.get(p) ?? { wins: 0, runs: 0 };
      s.runs++;
      if (r.winner?.provider === p) s.wins++;
      stats.set(p, s);
    }
  }
  return [...stats.entries()]
    .map(([label, s]) => ({ label, value: s.runs ? s.wins / s.runs : 0, ...s }))
    .sort((a, b) => b.value - a.value || a.label.localeCompare(b.label));
}

/** Mean and max draft latency per provider over successful calls. */
export function latencyByProvider(artifacts: RunArtifact[]): Array<Point & { max: number; calls: number }> {
  const stats = new Map<string, { sum: number; max: number; calls: number }>();
  for (const a of artifacts)
    for (const d of a.drafts) {
      if (d.status !== 'ok') continue;
      const s = stats.get(d.provider) ?? { sum: 0, max: 0, calls: 0 };
      s.sum += d.latency_ms;
      s.max = Math.max(s.max, d.latency_ms);
      s.calls++;
      stats.set(d.provider, s);
    }
  return [...stats.entries()].map(([label, s]) => ({ label, value: s.sum / s.calls, max: s.max, calls: s.calls })).sort((a, b) => a.label.localeCompare(b.label));
}
