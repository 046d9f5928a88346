// History: paginated runs (newest first), search in tasks, filters by status / provider / date.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { TableWrap } from '../components/TableWrap.js';
import { ThreadRows } from '../components/ThreadRows.js';
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
  // On a phone the runs come first and the thread rows follow them (docs/UI.md, Phone width).
  const phone = typeof matchMedia === 'function' && matchMedia('(max-width: 760px)').matches;

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
    typed.current = false; // a pending search-as-you-type must not replace this search later
    setPrev([]);
    navigate('/history', { ...draft });
  };
  const go = (c: string | undefined, back: boolean) => {
    if (back) setPrev((p) => p.slice(0, -1));
    else setPrev((p) => [...p, cursor ?? '']);
    navigate('/history', { ...filters, cursor: c });
  };
  // Search as you type (debounced); the URL keeps the filters, replaced rather than pushed.
  const typed = useRef(false);
  useEffect(() => {
    if (!typed.current) return;
    const t = setTimeout(() => {
      // Its `draft` is from when the text was typed: if a Search or another filter came since, that won.
      if (!typed.current) return;
      typed.current = false;
      setPrev([]);
      navigate('/history', { ...draft }, true);
    }, 300);
    return () => clearTimeout(t);
  }, [draft.q]);
  const setFilter = (k: keyof typeof draft, v: string) => {
    const next = { ...draft, [k]: v };
    setDraft(next);
    if (k === 'q') typed.current = true;
    else {
      typed.current = false; // `next` carries the typed text already
      setPrev([]);
      navigate('/history', { ...next }, true);
    }
  };
  // "/" focuses the search box (unless typing somewhere already).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)))) return;
      e.preventDefault();
      document.getElementById('h-q')?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  const [filtersOpen, setFiltersOpen] = useState(false);
  const filtering = Object.values(filters).some(Boolean);
  const activeFilters = [filters.status, filters.provider, filters.from, filters.to].filter(Boolean).length;

  const toggle = (id: string) => setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id].slice(-2)));

  return (
    <div className="screen">
      <h2>History</h2>
      <form className={`filters${filtersOpen ? ' open' : ''}`} onSubmit={apply} role="search" aria-label="Search runs">
        <div className="search-field">
          <label htmlFor="h-q">Search tasks</label>
          <input id="h-q" type="search" value={draft.q} aria-keyshortcuts="/" placeholder="Type to search ( / )" onChange={(e) => setFilter('q', e.target.value)} />
        </div>
        <button type="button" className="filters-toggle" aria-expanded={filtersOpen} aria-controls="h-more" onClick={() => setFiltersOpen((o) => !o)}>
          {filtersOpen ? 'Hide filters' : `Filters${activeFilters ? ` (${activeFilters})` : ''}`}
        </button>
        <div id="h-more" className="more-filters">
        <div>
          <label htmlFor="h-status">Status</label>
          <select id="h-status" value={draft.status} onChange={(e) => setFilter('status', e.target.value)}>
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
          <select id="h-provider" value={draft.provider} onChange={(e) => setFilter('provider', e.target.value)}>
            <option value="">Any</option>
            {PROVIDER_IDS.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="h-from">From date (UTC)</label>
          <input id="h-from" type="date" value={draft.from} onChange={(e) => setFilter('from', e.target.value)} />
        </div>
        <div>
          <label htmlFor="h-to">To date (UTC)</label>
          <input id="h-to" type="date" value={draft.to} onChange={(e) => setFilter('to', e.target.value)} />
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
        </div>
      </form>

      {!cursor && !phone && <ThreadRows q={filters.q} />}

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
        <ErrorAlert onRetry={page.reload}>Could not load the run history: {page.error}</ErrorAlert>
      )}
      {page.data && (
        <>
          {page.data.store_unreachable && (
            <p className="warning" role="status">
              The run store is unreachable: showing the runs this server still has (its last listing, runs waiting to be saved and runs in progress). The list may be incomplete.
            </p>
          )}
          {page.data.skipped > 0 && <p className="warning">{page.data.skipped} saved run(s) could not be read and are not listed.</p>}
          {page.data.runs.length > 0 && (
            <p className="muted small" role="status" data-testid="history-count">
              {page.data.next_cursor
                ? `${cursor ? 'Showing' : 'Newest'} ${page.data.runs.length} ${filtering ? 'matching ' : ''}runs — more are older (press Older)`
                : cursor
                  ? `Showing the last ${page.data.runs.length} ${filtering ? 'matching ' : ''}run${page.data.runs.length === 1 ? '' : 's'}`
                  : `${page.data.runs.length} ${filtering ? 'matching ' : ''}run${page.data.runs.length === 1 ? '' : 's'}`}
            </p>
          )}
          {page.data.runs.length === 0 ? (
            filtering || cursor ? (
              <p className="muted">No runs match.</p>
            ) : (
              <div className="card empty-state">
                <p>No runs yet. Every run is saved here, searchable and ready to compare or replay.</p>
                <p>
                  <a href="#/">Start your first run</a> — with no key set, the offline provider runs it end to end.
                </p>
              </div>
            )
          ) : (
            <TableWrap label="Runs table">
              <table aria-label="Runs" className="reflow">
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
                      <td data-label="Compare">
                        <input type="checkbox" aria-label={`Select run ${r.id} for compare`} checked={selected.includes(r.id)} onChange={() => toggle(r.id)} />
                      </td>
                      <td data-label="Time">{formatTime(r.created_at)}</td>
                      <td data-label="Task">
                        <a href={`#/runs/${r.id}`}>{truncate(r.task, 90)}</a>
                      </td>
                      <td data-label="Status">
                        {r.live ? (
                          <span className="badge status-running" title={`running on ${r.live.replica}`}>
                            Running
                          </span>
                        ) : (
                          <span className={`badge status-${r.status}`}>{STATUS_LABEL[r.status]}</span>
                        )}
                      </td>
                      <td data-label="Winner">{r.winner ? modelName(r.winner.provider, r.winner.model) : '—'}</td>
                      <td data-label="Cost">{formatUsd(r.cost_usd)}</td>
                      <td data-label="Duration">{formatMs(r.duration_ms)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
          {!cursor && phone && <ThreadRows q={filters.q} />}
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
