// Export a run as Markdown (for people) or JSON (the artifact as saved).
import type { RunArtifact } from '../../../shared/api/index.js';
import { STATUS_LABEL } from './runView.js';
import { formatUsd } from './format.js';

export function runToMarkdown(a: RunArtifact): string {
  const lines: string[] = [];
  lines.push(`# DJP run ${a.id}`, '');
  lines.push(`- Created: ${a.created_at}`, `- Status: ${STATUS_LABEL[a.status]}`);
  if (a.publish.provider) lines.push(`- Winner: ${a.publish.provider}/${a.publish.model} (${a.publish.draft_id})`);
  lines.push(`- Total cost: ${formatUsd(a.cost.total.usd)} (${a.cost.total.input_tokens + a.cost.total.output_tokens} tokens)`);
  if (a.interrupted) lines.push(`- Interrupted: ${a.interrupted}`);
  lines.push('', '## Task', '', a.task, '');
  lines.push(a.status === 'published' ? '## Published answer' : '## Result (advisory)', '');
  const best = a.publish.text ?? a.drafts.find((d) => d.id === a.judge.ranking[0])?.answer ?? '';
  lines.push(best || '_No text._', '', `_${a.publish.reason}_`, '');
  lines.push('## Scores', '', '| Draft | Model | Score | Task fit | Support | Clarity | Reasons |', '|---|---|---|---|---|---|---|');
  for (const s of a.judge.scores) {
    const d = a.drafts.find((x) => x.id === s.draft_id);
    const cell = (t: string) => t.replace(/\|/g, '\\|').replace(/\n/g, ' ');
    lines.push(
      `| ${s.draft_id} | ${d ? `${d.provider}/${d.model}` : ''} | ${s.score ?? '—'} | ${s.subscores?.task_fit ?? '—'} | ${s.subscores?.support ?? '—'} | ${s.subscores?.clarity ?? '—'} | ${cell(s.reasons)} |`,
    );
  }
  lines.push('', '## Drafts', '');
  for (const d of a.drafts) {
    lines.push(`### ${d.id} — ${d.provider}/${d.model} (${d.status})`, '');
    lines.push(d.status === 'ok' ? d.answer : `Failed: ${d.error ?? d.status}`, '');
  }
  return lines.join('\n');
}

export function runToJson(a: RunArtifact): string {
  return JSON.stringify(a, null, 2);
}

/** Starts a download of `text` as `filename` (browser only). */
export function download(filename: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
