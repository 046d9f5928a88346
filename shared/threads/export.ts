// A whole thread as Markdown: the branches, then every turn in creation order, each rendered by the
// run export (shared/export: one document, one Markdown renderer) with its headings nested one level
// under the turn's heading.
import { EXPORT_CONTENT_TYPES, type ExportFormat, type RunArtifact, type ThreadView } from '../api/index.js';
import type { ExportedRun } from '../export/index.js';
import { exportDocument } from '../export/document.js';
import { toMarkdown } from '../export/markdown.js';

/** Nests a Markdown document one heading level down (outside fenced code blocks). */
function nest(md: string): string {
  let fenced = false;
  return md
    .split('\n')
    .map((line) => {
      if (/^(```|~~~)/.test(line)) fenced = !fenced;
      return !fenced && /^#{1,5} /.test(line) ? `#${line}` : line;
    })
    .join('\n');
}

const oneLine = (s: string, n = 80) => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > n ? `${t.slice(0, n - 1)}…` : t;
};

export function threadMarkdown(view: ThreadView, runs: RunArtifact[]): string {
  const byId = new Map(runs.map((a) => [a.id, a]));
  const first = view.turns[0];
  const out: string[] = [`# Thread ${view.id}`, ''];
  if (first) out.push(`- **First task:** ${oneLine(first.task)}`);
  out.push(`- **Turns:** ${view.turns.length}`, `- **Branches:** ${view.branches.length}`, '');
  out.push('## Branches', '');
  view.branches.forEach((b, i) => out.push(`${i + 1}. ${b.map((id) => `turn ${view.turns.find((t) => t.run_id === id)?.turn ?? '?'} (${id})`).join(' → ')}`));
  out.push('');
  for (const t of view.turns) {
    out.push(`## Turn ${t.turn} — ${t.run_id}${t.parent_id ? ` (follows up ${t.parent_id})` : ''}`, '');
    const a = byId.get(t.run_id);
    if (!a) {
      out.push('_This run is no longer in the store._', '');
      continue;
    }
    const md = toMarkdown(exportDocument(a));
    // The run's own title line is replaced by the turn heading above.
    out.push(nest(md.replace(/^# [^\n]*\n+/, '')).trimEnd(), '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/**
 * A whole thread as Markdown, HTML or DOCX: the thread Markdown above, rendered to HTML and DOCX by
 * the run export's own renderers (escaped, no scripts; Word headings, tables and lists).
 */
export async function exportThreadFile(view: ThreadView, runs: RunArtifact[], format: ExportFormat): Promise<ExportedRun> {
  const md = threadMarkdown(view, runs);
  const title = `Thread ${view.id}`;
  let body: Uint8Array;
  if (format === 'md') body = new TextEncoder().encode(md);
  else if (format === 'html') body = new TextEncoder().encode((await import('../export/html.js')).markdownPage(title, md));
  else body = await (await import('../export/docx.js')).markdownDocx(title, md);
  return { format, contentType: EXPORT_CONTENT_TYPES[format], filename: `djp-thread-${view.id}.${format}`, body };
}
