// Standalone HTML export. Model text is untrusted: every string is escaped, raw HTML in an answer is
// shown as text, links keep only http(s)/mailto targets, and the page's CSP allows no scripts at all.
import { marked, type Token, type Tokens } from 'marked';
import type { ExportDocument, ExportTable } from './document.js';

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export function safeHref(href: string): string | null {
  try {
    const u = new URL(href);
    return ['http:', 'https:', 'mailto:'].includes(u.protocol) ? u.href : null;
  } catch {
    return null;
  }
}

function inline(tokens: Token[] | undefined): string {
  return (tokens ?? [])
    .map((t): string => {
      switch (t.type) {
        case 'strong':
          return `<strong>${inline((t as Tokens.Strong).tokens)}</strong>`;
        case 'em':
          return `<em>${inline((t as Tokens.Em).tokens)}</em>`;
        case 'del':
          return `<del>${inline((t as Tokens.Del).tokens)}</del>`;
        case 'codespan':
          return `<code>${escapeHtml((t as Tokens.Codespan).text)}</code>`;
        case 'br':
          return '<br>';
        case 'link': {
          const l = t as Tokens.Link;
          const href = safeHref(l.href);
          return href ? `<a href="${escapeHtml(href)}" rel="noopener noreferrer">${inline(l.tokens)}</a>` : inline(l.tokens);
        }
        case 'image': {
          const i = t as Tokens.Image;
          return escapeHtml(`[image: ${i.text || i.href}]`); // no remote fetches from an exported file
        }
        case 'text': {
          const x = t as Tokens.Text;
          return x.tokens ? inline(x.tokens) : escapeHtml(x.text);
        }
        default:
          return escapeHtml((t as { raw?: string }).raw ?? '');
      }
    })
    .join('');
}

function blocks(tokens: Token[], shift = 2): string {
  return tokens
    .map((t): string => {
      switch (t.type) {
        case 'heading': {
          const h = t as Tokens.Heading;
          const level = Math.min(6, h.depth + shift); // answers sit under the document's own h2 (shift 2)
          return `<h${level}>${inline(h.tokens)}</h${level}>`;
        }
        case 'paragraph':
          return `<p>${inline((t as Tokens.Paragraph).tokens)}</p>`;
        case 'text': {
          const x = t as Tokens.Text;
          return x.tokens ? inline(x.tokens) : escapeHtml(x.text);
        }
        case 'list': {
          const l = t as Tokens.List;
          const tag = l.ordered ? 'ol' : 'ul';
          const start = l.ordered && typeof l.start === 'number' && l.start !== 1 ? ` start="${l.start}"` : '';
          return `<${tag}${start}>${l.items.map((i) => `<li>${i.task ? (i.checked ? '☑ ' : '☐ ') : ''}${blocks(i.tokens, shift)}</li>`).join('')}</${tag}>`;
        }
        case 'code':
          return `<pre><code>${escapeHtml((t as Tokens.Code).text)}</code></pre>`;
        case 'blockquote':
          return `<blockquote>${blocks((t as Tokens.Blockquote).tokens, shift)}</blockquote>`;
        case 'table': {
          const tb = t as Tokens.Table;
          const head = `<tr>${tb.header.map((c) => `<th>${inline(c.tokens)}</th>`).join('')}</tr>`;
          const rows = tb.rows.map((r) => `<tr>${r.map((c) => `<td>${inline(c.tokens)}</td>`).join('')}</tr>`).join('');
          return `<table><thead>${head}</thead><tbody>${rows}</tbody></table>`;
        }
        case 'hr':
          return '<hr>';
        case 'space':
          return '';
        case 'html':
          return `<p>${escapeHtml((t as Tokens.HTML).text)}</p>`;
        default:
          return `<p>${escapeHtml((t as { raw?: string }).raw ?? '')}</p>`;
      }
    })
    .join('\n');
}

/** Markdown → safe HTML fragment; headings go `shift` levels down (an answer under the page's h2). */
export function markdownToHtml(md: string, shift = 2): string {
  return blocks(marked.lexer(md, { gfm: true }), shift);
}

function table(t: ExportTable): string {
  return `<table><thead><tr>${t.header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${t.rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

const pairs = (rows: Array<[string, string]>): string => `<dl>${rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;

const STYLE = `body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}
h1{font-size:1.6rem}h2{border-bottom:1px solid #d0d7de;padding-bottom:.2rem;margin-top:2rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:600}dd{margin:0}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#f6f8fa}
pre{background:#f6f8fa;padding:.75rem;overflow:auto}code{font-family:ui-monospace,Menlo,Consolas,monospace}
blockquote{border-left:4px solid #d0d7de;margin:0;padding:0 1rem;color:#444}.task{white-space:pre-wrap}.note{color:#57606a;font-style:italic}
.answer{border:1px solid #d0d7de;border-radius:6px;padding:0 1rem}`;

/** A standalone page (no scripts, no remote loads: the CSP allows inline styles only) around `body`. */
function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

/** A Markdown document (e.g. a whole thread, shared/threads/export.ts) as a standalone page, escaped like an answer. */
export function markdownPage(title: string, md: string): string {
  return page(title, markdownToHtml(md, 0));
}

export function toHtml(doc: ExportDocument): string {
  const answer = doc.answer.markdown === null ? '<p><em>No answer text.</em></p>' : markdownToHtml(doc.answer.markdown);
  return page(
    doc.title,
    `<h1>${escapeHtml(doc.title)}</h1>
${pairs(doc.summary)}
<h2>Task</h2>
<blockquote class="task">${escapeHtml(doc.task)}</blockquote>
<h2>${escapeHtml(doc.answer.heading)}</h2>
<div class="answer">${answer}</div>
<p class="note">${escapeHtml(doc.answer.note)}</p>
<h2>Scores</h2>
${table(doc.scores)}
<h2>Cost</h2>
${table(doc.costs)}
<ul>${doc.costNotes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>
<h2>Provenance</h2>
${pairs(doc.provenance)}
<h2>Drafts</h2>
${doc.drafts.map((d) => `<h3>${escapeHtml(d.heading)}</h3>\n${markdownToHtml(d.markdown)}`).join('\n')}`,
  );
}
