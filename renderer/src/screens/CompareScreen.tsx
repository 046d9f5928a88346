// Compare: two runs, or two drafts of one run, side by side with a word-level diff, plus their
// parameters, scores and costs. Sides are "RUNID" (its published/advisory text) or "RUNID:d2".
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { TableWrap } from '../components/TableWrap.js';
import type { RunArtifact } from '../../../shared/api/index.js';
import { useApp, useLoad } from '../context.js';
import { diffStats, diffWords } from '../lib/diff.js';
import { formatMs, formatUsd, modelName } from '../lib/format.js';
import { STATUS_LABEL } from '../lib/runView.js';
import { href, navigate, useRoute } from '../router.js';
import { useRun, type UseRun } from '../useRun.js';
import { Loading, ErrorAlert } from '../components/Status.js';
import { Answer } from '../components/Answer.js';

interface Side {
  runId: string;
  draftId: string | null;
}

function parseSide(s: string | null): Side | null {
  if (!s) return null;
  const [runId, draftId] = s.split(':');
  return runId ? { runId, draftId: draftId || null } : null;
}

function sideText(a: RunArtifact, draftId: string | null): string {
  if (draftId) return a.drafts.find((d) => d.id === draftId)?.answer ?? '';
  return a.publish.text ?? a.drafts.find((d) => d.id === a.judge.ranking[0])?.answer ?? '';
}

function sideLabel(a: RunArtifact, draftId: string | null): string {
  if (!draftId) return `${a.status === 'published' ? 'Published' : 'Best (advisory)'} text`;
  const d = a.drafts.find((x) => x.id === draftId);
  return d ? `Draft ${d.id} — ${modelName(d.provider, d.model)}` : `Draft ${draftId} (not in this run)`;
}

/** One side's run: its saved record once there is one, or whether it is still running. */
function sideState(side: Side | null, f: UseRun): { data: RunArtifact | null; error: string | null; loading: boolean; live: boolean } {
  if (!side) return { data: null, error: null, loading: false, live: false };
  const data = f.artifact?.id === side.runId ? f.artifact : null;
  // Events arrived and the run is not over: it is live (a finished run replays straight to run.done).
  const live = !data && !f.loadError && f.view.lastSeq > 0 && f.view.phase !== 'done' && f.view.phase !== 'error';
  return { data, error: f.loadError, loading: !data && !f.loadError && !live, live };
}

export default function CompareScreen() {
  const { client } = useApp();
  const { params } = useRoute();
  const a = parseSide(params.get('a'));
  const b = parseSide(params.get('b'));
  const recent = useLoad(() => client.listRuns({ limit: 50 }), [client]);
  // Each side follows its run like the run page does (useRun): a run still in progress is waited for
  // and compared when it finishes, never asked for its saved record early (a 409).
  const followA = useRun(a?.runId ?? '');
  const followB = useRun(b?.runId ?? '');
  const runA = sideState(a, followA);
  const runB = sideState(b, followB);
  const [form, setForm] = useState({ a: params.get('a') ?? '', b: params.get('b') ?? '' });
  // A new link while Compare is open (Compare pressed, a link from another run) shows its sides.
  const linkA = params.get('a') ?? '';
  const linkB = params.get('b') ?? '';
  useEffect(() => setForm({ a: linkA, b: linkB }), [linkA, linkB]);
  // The word diff is on the Markdown source; "Rendered" shows both answers as a reader sees them.
  const [rendered, setRendered] = useState(false);
  // The drafts of a run picked in the form (before Compare is pressed) come from its artifact.
  const formA = parseSide(form.a)?.runId ?? null;
  const formB = parseSide(form.b)?.runId ?? null;
  // (A run the link already names is followed above, finished or not: not asked for again here.)
  const pickA = useLoad(() => (formA && formA !== a?.runId ? client.getRun(formA) : Promise.resolve(null)), [client, formA, a?.runId]);
  const pickB = useLoad(() => (formB && formB !== b?.runId ? client.getRun(formB) : Promise.resolve(null)), [client, formB, b?.runId]);

  const ops = useMemo(() => (runA.data && runB.data && a && b ? diffWords(sideText(runA.data, a.draftId), sideText(runB.data, b.draftId)) : null), [runA.data, runB.data, a?.draftId, b?.draftId]);
  const stats = ops ? diffStats(ops) : null;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    navigate('/compare', { a: form.a.trim(), b: form.b.trim() });
  };

  const picker = (key: 'a' | 'b', label: string, run: RunArtifact | null) => {
    const side = parseSide(form[key]);
    return (
      <div className="compare-pick">
        <label htmlFor={`cmp-${key}`}>{label} run</label>
        <select id={`cmp-${key}`} value={side?.runId ?? ''} onChange={(e) => setForm({ ...form, [key]: e.target.value })}>
          <option value="">Choose a run…</option>
          {side?.runId && !recent.data?.runs.some((r) => r.id === side.runId) && <option value={side.runId}>{side.runId}</option>}
          {recent.data?.runs.map((r) => (
            // A live run has no saved text to compare yet: it cannot be picked, unless it is the one
            // given in the link (then this side waits for it to finish).
            <option key={r.id} value={r.id} disabled={Boolean(r.live) && r.id !== side?.runId}>
              {r.task.slice(0, 60)} ({r.id.slice(-6)}){r.live ? ' — still running' : ''}
            </option>
          ))}
        </select>
        <label htmlFor={`cmp-${key}-text`}>{label} text to compare</label>
        <select
          id={`cmp-${key}-text`}
          value={side?.draftId ?? ''}
          disabled={!side}
          onChange={(e) => setForm({ ...form, [key]: `${side?.runId ?? ''}${e.target.value ? `:${e.target.value}` : ''}` })}
        >
          <option value="">Published / best text</option>
          {(run && run.id === side?.runId ? run.drafts : []).map((d) => (
            <option key={d.id} value={d.id}>
              Draft {d.id} ({modelName(d.provider, d.model)})
            </option>
          ))}
          {side?.draftId && !(run && run.id === side.runId) && <option value={side.draftId}>Draft {side.draftId}</option>}
        </select>
      </div>
    );
  };

  return (
    <div className="screen">
      <h2>Compare</h2>
      <form className="compare-form" onSubmit={submit} aria-label="Choose what to compare">
        {picker('a', 'Left', runA.data?.id === formA ? runA.data : pickA.data)}
        {picker('b', 'Right', runB.data?.id === formB ? runB.data : pickB.data)}
        <div className="row end">
          <button type="submit" className="primary" disabled={!form.a || !form.b}>
            Compare
          </button>
        </div>
      </form>
      {recent.error && <ErrorAlert onRetry={recent.reload}>Could not list recent runs: {recent.error}</ErrorAlert>}
      {(runA.loading || runB.loading) && (a || b) && (
        <Loading>Loading runs…</Loading>
      )}
      {runA.error && <ErrorAlert>Left run: {runA.error}</ErrorAlert>}
      {runB.error && <ErrorAlert>Right run: {runB.error}</ErrorAlert>}
      {([['Left', a, runA], ['Right', b, runB]] as const).map(([label, side, st]) =>
        side && st.live ? (
          <p key={label} className="muted" role="status">
            {label} run is still running; it is compared as soon as it finishes. <a href={href(`/runs/${side.runId}`)}>Watch it live</a>
          </p>
        ) : null,
      )}
      {!a || !b ? <p className="muted">Choose two runs (or two drafts of one run) and press Compare.</p> : null}
      {ops && runA.data && runB.data && a && b && stats && (
        <>
          <div className="row spread">
            <p className="muted" data-testid="diff-stats">
              {stats.equal} words the same · <span className="del-key">{stats.delete} removed</span> · <span className="ins-key">{stats.insert} added</span>
            </p>
            <div role="group" aria-label="View" className="row">
              <button type="button" aria-pressed={!rendered} onClick={() => setRendered(false)}>
                Word diff (source)
              </button>
              <button type="button" aria-pressed={rendered} onClick={() => setRendered(true)}>
                Rendered
              </button>
            </div>
          </div>
          {rendered ? (
            <div className="compare-grid" aria-label="Rendered answers">
              <section aria-label="Left text" className="card">
                <h3>{sideLabel(runA.data, a.draftId)}</h3>
                <Answer label="Left answer" text={sideText(runA.data, a.draftId)} copy />
              </section>
              <section aria-label="Right text" className="card">
                <h3>{sideLabel(runB.data, b.draftId)}</h3>
                <Answer label="Right answer" text={sideText(runB.data, b.draftId)} copy />
              </section>
            </div>
          ) : (
          <div className="compare-grid" aria-label="Word diff">
            <section aria-label="Left text" className="card">
              <h3>{sideLabel(runA.data, a.draftId)}</h3>
              <div className="diff-text">
                {ops.map((o, i) => (o.type === 'insert' ? null : o.type === 'delete' ? <del key={i}>{o.text}</del> : <span key={i}>{o.text}</span>))}
              </div>
            </section>
            <section aria-label="Right text" className="card">
              <h3>{sideLabel(runB.data, b.draftId)}</h3>
              <div className="diff-text">
                {ops.map((o, i) => (o.type === 'delete' ? null : o.type === 'insert' ? <ins key={i}>{o.text}</ins> : <span key={i}>{o.text}</span>))}
              </div>
            </section>
          </div>
          )}
          <CompareFacts a={runA.data} aDraft={a.draftId} b={runB.data} bDraft={b.draftId} />
        </>
      )}
    </div>
  );
}

function CompareFacts({ a, aDraft, b, bDraft }: { a: RunArtifact; aDraft: string | null; b: RunArtifact; bDraft: string | null }) {
  const score = (r: RunArtifact, d: string | null) => {
    const id = d ?? r.publish.draft_id ?? r.judge.ranking[0];
    const s = r.judge.scores.find((x) => x.draft_id === id);
    return s ? `${s.score ?? '—'} (fit ${s.subscores?.task_fit ?? '—'}, support ${s.subscores?.support ?? '—'}, clarity ${s.subscores?.clarity ?? '—'})` : '—';
  };
  const cost = (r: RunArtifact, d: string | null) => {
    if (!d) return `${formatUsd(r.cost.total.usd)} total`;
    const dr = r.drafts.find((x) => x.id === d);
    return dr ? `${formatUsd(dr.cost_usd)} · ${dr.usage?.total_tokens ?? '—'} tokens · ${formatMs(dr.latency_ms)}` : '—';
  };
  const p = (r: RunArtifact) => r.parameters;
  const rows: Array<[string, string, string]> = [
    ['Run', a.id, b.id],
    ['Task', a.task.slice(0, 200), b.task.slice(0, 200)],
    ['Status', STATUS_LABEL[a.status], STATUS_LABEL[b.status]],
    ['Score', score(a, aDraft), score(b, bDraft)],
    ['Cost', cost(a, aDraft), cost(b, bDraft)],
    ['Debaters', p(a).debaters.map((d) => modelName(d.provider, d.model)).join(', '), p(b).debaters.map((d) => modelName(d.provider, d.model)).join(', ')],
    ['Judge', modelName(p(a).judge.provider, p(a).judge.model), modelName(p(b).judge.provider, p(b).judge.model)],
    ['Policy', p(a).policy, p(b).policy],
    ['Temperature / max tokens', `${p(a).temperature} / ${p(a).max_tokens}`, `${p(b).temperature} / ${p(b).max_tokens}`],
    ['Preset', p(a).preset ?? '—', p(b).preset ?? '—'],
    ['Redaction / citations', `${p(a).redact ? 'on' : 'off'} / ${p(a).require_citations}`, `${p(b).redact ? 'on' : 'off'} / ${p(b).require_citations}`],
  ];
  return (
    <section aria-label="Parameters, scores and costs" className="card">
      <h3>Parameters, scores and costs</h3>
      <TableWrap label="Comparison table">
        <table>
          <thead>
            <tr>
              <th scope="col" />
              <th scope="col">Left</th>
              <th scope="col">Right</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([k, l, r]) => (
              <tr key={k} className={l !== r ? 'differs' : undefined}>
                <th scope="row">{k}</th>
                <td>{l}</td>
                <td>{r}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </section>
  );
}
