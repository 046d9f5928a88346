// Markdown export. The answer and drafts are Markdown already and go in as written.
import type { ExportDocument, ExportTable } from './document.js';

const cell = (t: string): string => t.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

function table(t: ExportTable): string[] {
  return [`| ${t.header.map(cell).join(' | ')} |`, `|${t.header.map(() => '---').join('|')}|`, ...t.rows.map((r) => `| ${r.map(cell).join(' | ')} |`)];
}

/** The task is plain text: shown as a quoted block so Markdown in it is not taken as structure. */
const quote = (text: string): string[] => text.split(/\r?\n/).map((l) => `> ${l}`.trimEnd());

export function toMarkdown(doc: ExportDocument): string {
  const out: string[] = [`# ${doc.title}`, ''];
  for (const [k, v] of doc.summary) out.push(`- **${k}:** ${v}`);
  out.push('', '## Task', '', ...quote(doc.task), '');
  out.push(`## ${doc.answer.heading}`, '', doc.answer.markdown ?? '_No answer text._', '', `_${doc.answer.note}_`, '');
  out.push('## Scores', '', ...table(doc.scores), '');
  out.push('## Cost', '', ...table(doc.costs), '', ...doc.costNotes.map((n) => `- ${n}`), '');
  out.push('## Provenance', '', ...doc.provenance.map(([k, v]) => `- **${k}:** ${v}`), '');
  out.push('## Drafts', '');
  for (const d of doc.drafts) out.push(`### ${d.heading}`, '', d.markdown, '');
  return `${out.join('\n').trimEnd()}\n`;
}
