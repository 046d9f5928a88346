// Insights: cost over time, status mix, provider win rate, latency per provider — from history.
import type { RunArtifact, RunSummary } from '../../../shared/api/index.js';
import { BarChart, ColumnChart } from '../components/Charts.js';
import { useApp, useLoad } from '../context.js';
import { formatMs, formatUsd } from '../lib/format.js';
import { costByDay, latencyByProvider, providerWinRate, statusMix } from '../lib/insights.js';
import { STATUS_LABEL } from '../lib/runView.js';
import type { DjpClient } from '../api/client.js';
import { Loading, ErrorAlert } from '../components/Status.js';

const MAX_RUNS = 500;
const LATENCY_SAMPLE = 40;

async function loadHistory(client: DjpClient): Promise<{ runs: RunSummary[]; artifacts: RunArtifact[]; truncated: boolean }> {
  const runs: RunSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listRuns({ limit: 100, cursor });
    runs.push(...page.runs);
    cursor = page.next_cursor ?? undefined;
  } while (cursor && runs.length < MAX_RUNS);
  // Latency per provider needs the artifacts; sample the most recent finished ones, four at a time
  // (a live run has no artifact yet: asking for it would be a 409 "still running").
  const ids = runs.filter((r) => !r.live).slice(0, LATENCY_SAMPLE).map((r) => r.id);
  const artifacts: RunArtifact[] = [];
  for (let i = 0; i < ids.length; i += 4) {
    const got = await Promise.allSettled(ids.slice(i, i + 4).map((id) => client.getRun(id)));
    for (const g of got) if (g.status === 'fulfilled') artifacts.push(g.value);
  }
  return { runs, artifacts, truncated: Boolean(cursor) };
}

export default function InsightsScreen() {
  const { client } = useApp();
  const data = useLoad(() => loadHistory(client), [client]);
  return (
    <div className="screen">
      <div className="row spread">
        <h2>Insights</h2>
        <button type="button" onClick={data.reload}>
          Refresh
        </button>
      </div>
      {data.loading && (
        <Loading>Reading run history…</Loading>
      )}
      {data.error && (
        <ErrorAlert onRetry={data.reload}>Could not read the run history: {data.error}</ErrorAlert>
      )}
      {data.data && data.data.runs.length === 0 && <p className="muted">No runs yet — start one on the Run screen.</p>}
      {data.data && data.data.runs.length > 0 && <Charts {...data.data} />}
    </div>
  );
}

function Charts({ runs, artifacts, truncated }: { runs: RunSummary[]; artifacts: RunArtifact[]; truncated: boolean }) {
  const cost = costByDay(runs);
  const total = runs.reduce((s, r) => s + (r.cost_usd ?? 0), 0);
  return (
    <>
      <p className="muted">
        {runs.length} runs{truncated ? ` (the most recent ${runs.length})` : ''} · total known cost {formatUsd(total)}
        {cost.unpriced > 0 && ` · ${cost.unpriced} with unknown cost`}
      </p>
      <div className="charts">
        <section className="card" aria-label="Cost over time">
          <h3>Cost over time (per day, UTC)</h3>
          <ColumnChart title="Cost per day" points={cost.points} format={formatUsd} />
        </section>
        <section className="card" aria-label="Status mix">
          <h3>Status mix</h3>
          <BarChart title="Runs by status" points={statusMix(runs).map((p) => ({ ...p, label: STATUS_LABEL[p.label as RunSummary['status']] ?? p.label }))} format={(v) => String(Math.round(v))} />
        </section>
        <section className="card" aria-label="Provider win rate">
          <h3>Provider win rate</h3>
          <BarChart title="Share of runs won, per provider" points={providerWinRate(runs)} max={1} format={(v) => `${Math.round(v * 100)}%`} />
        </section>
        <section className="card" aria-label="Latency per provider">
          <h3>Latency per provider (mean of successful drafts, last {artifacts.length} runs)</h3>
          {artifacts.length ? <BarChart title="Mean draft latency per provider" points={latencyByProvider(artifacts)} format={formatMs} /> : <p className="muted">No run details could be loaded.</p>}
        </section>
      </div>
    </>
  );
}
