// What an export of a run carries, independent of the format: the task, the published answer (its
// Markdown, rendered by each format), the scores table, costs, provenance, the template and the drafts.
// Markdown, HTML and DOCX are three renderings of this one document.
import type { RunArtifact } from '../api/index.js';

export interface ExportTable {
  header: string[];
  rows: string[][];
}

export interface ExportDocument {
  title: string;
  /** Label/value lines under the title (created, status, winner, template …). */
  summary: Array<[string, string]>;
  task: string;
  answer: { heading: string; markdown: string | null; note: string };
  scores: ExportTable;
  costs: ExportTable;
  costNotes: string[];
  provenance: Array<[string, string]>;
  drafts: Array<{ heading: string; markdown: string }>;
}

const STATUS_TEXT: Record<RunArtifact['status'], string> = {
  published: 'Published',
  advisory_only: 'Advisory only (nothing published)',
  none: 'No result',
  pending_approval: 'Pending approval (not yet published)',
};

const usd = (x: number | null): string => (x === null ? 'unpriced' : `$${x.toFixed(4)}`);
const num = (x: number | null | undefined): string => (x === null || x === undefined ? '—' : Number.isInteger(x) ? String(x) : x.toFixed(2));
const model = (provider: string, name: string): string => (name.startsWith(`${provider}/`) ? name : `${provider}/${name}`);

export function exportDocument(a: RunArtifact): ExportDocument {
  const winner = a.publish.draft_id ? a.drafts.find((d) => d.id === a.publish.draft_id) : undefined;
  const summary: Array<[string, string]> = [
    ['Run', a.id],
    ['Created', a.created_at],
    ['Status', `${STATUS_TEXT[a.status]}${a.interrupted ? ` — interrupted: ${a.interrupted}` : ''}`],
  ];
  if (winner) summary.push([a.status === 'published' ? 'Winner' : 'Best draft', `${winner.id} ${model(winner.provider, winner.model)}`]);
  if (a.approval.state === 'approved' || a.approval.state === 'rejected') summary.push(['Approval', `${a.approval.state} by ${a.approval.decided_by ?? '?'} at ${a.approval.decided_at ?? '?'}${a.approval.reason ? `: ${a.approval.reason}` : ''}`]);
  if (a.template) summary.push(['Template', `${a.template.id} v${a.template.version} (${a.template.source})`]);

  // The published text when there is one; otherwise the best draft, clearly labelled as not published.
  let answer: ExportDocument['answer'];
  if (a.status === 'published' && a.publish.text !== null) answer = { heading: 'Published answer', markdown: a.publish.text, note: a.publish.reason };
  else if (a.status === 'pending_approval') answer = { heading: 'Answer pending approval (not published)', markdown: a.publish.text ?? winner?.answer ?? null, note: a.publish.reason };
  else {
    const best = winner ?? a.drafts.find((d) => d.id === a.judge.ranking[0]);
    answer = { heading: 'Advisory result (not published)', markdown: best && best.status === 'ok' ? best.answer : null, note: a.publish.reason };
  }

  const scores: ExportTable = {
    header: ['Draft', 'Model', 'Score /10', 'Task fit /4', 'Support /4', 'Clarity /2', 'Reasons'],
    rows: a.drafts.map((d) => {
      const s = a.judge.scores.find((x) => x.draft_id === d.id);
      const score = s ? (s.status === 'scored' ? num(s.score) : s.status) : d.status === 'ok' ? 'not judged' : d.status;
      return [d.id, model(d.provider, d.model), score, num(s?.subscores?.task_fit), num(s?.subscores?.support), num(s?.subscores?.clarity), s?.reasons ?? (d.error ?? '')];
    }),
  };

  const c = a.cost;
  const costs: ExportTable = {
    header: ['Stage', 'Cost (USD)', 'Input tokens', 'Output tokens'],
    rows: [
      ['Debate', usd(c.debate.usd), String(c.debate.input_tokens), String(c.debate.output_tokens)],
      ['Judge', usd(c.judge.usd), String(c.judge.input_tokens), String(c.judge.output_tokens)],
      ['Total', usd(c.total.usd), String(c.total.input_tokens), String(c.total.output_tokens)],
    ],
  };
  const costNotes = [`Projected before the run: at most ${usd(c.projected_usd)}, ${c.projected_tokens} tokens.`];
  if (c.unpriced_models.length) costNotes.push(`Unpriced models: ${c.unpriced_models.join(', ')}.`);
  if (c.budget.usd !== null || c.budget.tokens !== null) costNotes.push(`Budget: ${[c.budget.usd !== null ? `$${c.budget.usd}` : null, c.budget.tokens !== null ? `${c.budget.tokens} tokens` : null].filter(Boolean).join(', ')}${c.budget.exceeded ? ` — exceeded: ${c.budget.detail ?? ''}` : ' — within budget'}.`);

  const p = a.provenance;
  const provenance: Array<[string, string]> = [
    ['App version', p.app_version],
    ['Git commit', p.git_sha ?? 'unknown'],
    ['Run by', `${p.identity.user} (${p.identity.source})`],
    ['Surface', `${p.runtime.surface} · Node ${p.runtime.node} · ${p.runtime.platform}/${p.runtime.arch}`],
    ['Judge', `${model(a.judge.model.provider, a.judge.model.model)} — ${a.judge.status}${a.judge.reason ? ` (${a.judge.reason})` : ''}${a.judge.swap_pass ? ', swap pass' : ''}`],
    ['Policy', a.parameters.policy],
    ['Finished', `${a.finished_at} (${(a.timings_ms.total / 1000).toFixed(1)} s)`],
  ];
  if (p.replay_of) provenance.push(['Replay of', p.replay_of]);
  if (a.template) {
    const vars = Object.entries(a.template.vars).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : v === null ? '' : String(v)}`);
    provenance.push(['Template values', vars.join('; ') || 'none']);
  }

  const drafts = a.drafts.map((d) => ({
    heading: `${d.id} — ${model(d.provider, d.model)} (${d.status})`,
    markdown: d.status === 'ok' ? d.answer : `Failed: ${d.error ?? d.status}`,
  }));

  return { title: `DJP run ${a.id}`, summary, task: a.task, answer, scores, costs, costNotes, provenance, drafts };
}
