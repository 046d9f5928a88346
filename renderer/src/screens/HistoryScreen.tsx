// History: paginated runs (newest first), search in tasks, filters by status / provider / date.
import { useState, type FormEvent } from 'react';
import { PROVIDER_IDS, PUBLISH_STATUSES, type ListRunsQuery, type PublishStatus } from '../../../shared/api/index.js';
import { useApp, useLoad } from '../context.js';
import { formatMs, formatTime, formatUsd, truncate, modelName } from '../lib/format.js';
import { STATUS_LABEL } from '../lib/runView.js';
import { navigate, useRoute } from '../router.js';
import { Loading, ErrorAlert } from '../components/Status.js';

const PAGE = 20;

export function HistoryScreen() {
  const { client } = useApp();
  const { params } = useRoute();
  const filters = {
    q: params.get('q') ?? '',
    status: params.get('status') ?? '',
    provider: params.get('provider') ?? '',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
  };
  const cursor = params.get('cursor') ?? undefined;
  const [draft, setDraft] = useState(filters);
  const [prev, setPrev] = useState<string[]>([]);
  const [selected, setSelected] = useState<string[]>([]);

  const query: ListRunsQuery = {
    q: filters.q || undefined,
    status: (filters.status || undefined) as PublishStatus | undefined,
    provider: (filters.provider || undefined) as ListRunsQuery['provider'],
    from: filters.from || undefined,
    to: filters.to || undefined,
    cursor,
    limit: PAGE,
  };
  const page = useLoad(() => client.listRuns(query), [client, JSON.stringify(query)]);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setPrev([]);
    navigate('/history', { ...draft });
  };
  const go = (c: string | undefined, back: boolean) => {
    if (back) setPrev((p) => p.slice(0, -1));
    else setPrev((p) => [...p, cursor ?? '']);
    navigate('/history', { ...filters, cursor: c });
  };
  const toggle = (id: string) => setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id].slice(-2)));

  return (
    <div className="screen">
      <h2>History</h2>
      <form className="filters" onSubmit={apply} role="search" aria-label="Search runs">
        <div>
          <label htmlFor="h-q">Search tasks</label>
          <input id="h-q" type="search" value={draft.q} onChange={(e) => setDraft({ ...draft, q: e.target.value })} />
        </div>
        <div>
          <label htmlFor="h-status">Status</label>
          <select id="h-status" value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.target.value })}>
            <option value="">Any</option>
            {PUBLISH_STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABEL[s]}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="h-provider">Provider</label>
          <select id="h-provider" value={draft.provider} onChange={(e) => setDraft({ ...draft, provider: e.target.value })}>
            <option value="">Any</option>
            {PROVIDER_IDS.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="h-from">From date (UTC)</label>
          <input id="h-from" type="date" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
        </div>
        <div>
          <label htmlFor="h-to">To date (UTC)</label>
          <input id="h-to" type="date" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
        </div>
        <div className="row end">
          <button type="submit">Search</button>
          <button
            type="button"
            onClick={() => {
              const empty = { q: '', status: '', provider: '', from: '', to: '' };
              setDraft(empty);
              setPrev([]);
              navigate('/history');
            }}
          >
            Clear
          </button>
        </div>
      </form>

      <div className="row spread">
        <span className="muted small">Select two runs to compare them.</span>
        <button type="button" disabled={selected.length !== 2} onClick={() => navigate('/compare', { a: selected[0], b: selected[1] })}>
          Compare selected
        </button>
      </div>

      {page.loading && (
        <Loading>Loading runs…</Loading>
      )}
      {page.error && (
        <ErrorAlert>Could not load the run history: {page.error} <button type="button" onClick={page.reload}>Retry</button></ErrorAlert>
      )}
      {page.data && (
        <>
          {page.data.store_unreachable && (
            <p className="warning" role="status">
              The run store is unreachable: showing the runs this server still has (its last listing, runs waiting to be saved and runs in progress). The list may be incomplete.
            </p>
          )}
          {page.data.skipped > 0 && <p className="warning">{page.data.skipped} saved run(s) could not be read and are not listed.</p>}
          {page.data.runs.length === 0 ? (
            <p className="muted">No runs match.</p>
          ) : (
            <div className="table-wrap">
              <table aria-label="Runs">
                <thead>
                  <tr>
                    <th scope="col">Compare</th>
                    <th scope="col">Time</th>
                    <th scope="col">Task</th>
                    <th scope="col">Status</th>
                    <th scope="col">Winner</th>
                    <th scope="col">Cost</th>
                    <th scope="col">Duration</th>
                  </tr>
                </thead>
                <tbody>
                  {page.data.runs.map((r) => (
                    <tr key={r.id} data-run={r.id}>
                      <td>
                        <input type="checkbox" aria-label={`Select run ${r.id} for compare`} checked={selected.includes(r.id)} onChange={() => toggle(r.id)} />
                      </td>
                      <td>{formatTime(r.created_at)}</td>
                      <td>
                        <a href={`#/runs/${r.id}`}>{truncate(r.task, 90)}</a>
                      </td>
                      <td>
                        {r.live ? (
                          <span className="badge status-running" title={`running on ${r.live.replica}`}>
                            Running
                          </span>
                        ) : (
                          <span className={`badge status-${r.status}`}>{STATUS_LABEL[r.status]}</span>
                        )}
                      </td>
                      <td>{r.winner ? modelName(r.winner.provider, r.winner.model) : '—'}</td>
                      <td>{formatUsd(r.cost_usd)}</td>
                      <td>{formatMs(r.duration_ms)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <nav className="row" aria-label="Pages">
            <button type="button" disabled={!cursor} onClick={() => go(prev[prev.length - 1] || undefined, true)}>
              Newer
            </button>
            <button type="button" disabled={!page.data.next_cursor} onClick={() => go(page.data?.next_cursor ?? undefined, false)}>
              Older
            </button>
          </nav>
        </>
      )}
    </div>
  );
}
