// Export of a run as Markdown, HTML and DOCX. The DOCX is read back by a real reader: the system
// `unzip` extracts word/document.xml and an XML parser (@xmldom/xmldom) walks its paragraphs.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { afterAll, describe, expect, it } from 'vitest';
import { exportRun, parseExportFormat } from '../../shared/export/index.js';
import { makeArtifact } from '../fakes/artifact.js';

const tmp = mkdtempSync(join(tmpdir(), 'djp-export-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ANSWER = [
  '## Bottom line',
  '',
  'Keep the **new pricing** but *watch churn* — see [the dashboard](https://example.com/churn) and [this](javascript:alert(1)).',
  '',
  '- Revenue up 12%',
  '- Churn up to 3.4%',
  '',
  '1. Decide by 30 September',
  '2. Hire two SREs',
  '',
  '| Metric | Q2 | Q3 |',
  '|---|---|---|',
  '| Churn | 2.1% | 3.4% |',
  '',
  '```',
  'if (churn > 0.03) alert()',
  '```',
  '',
  '<script>alert("x")</script> <img src=x onerror=alert(1)>',
].join('\n');

const base = makeArtifact({ providers: ['openai', 'anthropic'] });
const artifact = {
  ...base,
  task: 'Summarise the Q3 review for the board.\nKeep it under 200 words & name the decisions <now>.',
  publish: { ...base.publish, text: ANSWER, reason: 'd1 scored highest and passed every check' },
  drafts: base.drafts.map((d, i) => (i === 0 ? { ...d, answer: ANSWER } : d)),
  judge: { ...base.judge, scores: base.judge.scores.map((s, i) => ({ ...s, score: i === 0 ? 8.5 : 6, subscores: { task_fit: 4, support: i === 0 ? 3 : 2, clarity: 1.5 }, reasons: i === 0 ? 'clear and sourced' : 'vague' })) },
  cost: { ...base.cost, total: { usd: 0.0123, input_tokens: 1500, output_tokens: 700 }, debate: { usd: 0.01, input_tokens: 1000, output_tokens: 600 }, judge: { usd: 0.0023, input_tokens: 500, output_tokens: 100 } },
  template: { id: 'executive-summary', version: 2, source: 'store' as const, vars: { audience: 'board', max_words: 200 } },
};

const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

describe('export', () => {
  it('format names: md, html, docx (markdown/word accepted); anything else names the field', () => {
    expect(parseExportFormat('MD')).toBe('md');
    expect(parseExportFormat('word')).toBe('docx');
    expect(() => parseExportFormat('pdf')).toThrow(/format: must be one of md, html, docx \(got "pdf"\)/);
  });

  it('Markdown carries the task, the published answer, scores, costs, provenance and the template', async () => {
    const out = await exportRun(artifact, 'md');
    expect(out).toMatchObject({ contentType: 'text/markdown; charset=utf-8', filename: `djp-run-${artifact.id}.md` });
    const md = text(out.body);
    expect(md).toContain('> Summarise the Q3 review for the board.\n> Keep it under 200 words & name the decisions <now>.');
    expect(md).toContain('## Published answer');
    expect(md).toContain(ANSWER);
    expect(md).toMatch(/\| d1 \| openai\/openai-model \| 8\.50 \| 4 \| 3 \| 1\.50 \| clear and sourced \|/);
    expect(md).toContain('| Total | $0.0123 | 1500 | 700 |');
    expect(md).toContain('- **Run by:** ');
    expect(md).toContain('- **Template:** executive-summary v2 (store)');
    expect(md).toContain('audience=board; max_words=200');
  });

  it('HTML renders the answer safely: structure kept, scripts and javascript: links gone, CSP forbids scripts', async () => {
    const out = await exportRun(artifact, 'html');
    const html = text(out.body);
    expect(out.contentType).toBe('text/html; charset=utf-8');
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    expect(html).toContain('<strong>new pricing</strong>');
    expect(html).toContain('<a href="https://example.com/churn" rel="noopener noreferrer">the dashboard</a>');
    expect(html).toContain('<ol><li>Decide by 30 September</li><li>Hire two SREs</li></ol>');
    expect(html).toContain('<td>Churn</td><td>2.1%</td><td>3.4%</td>');
    expect(html).toContain('<pre><code>if (churn &gt; 0.03) alert()</code></pre>');
    expect(html).toContain('Keep it under 200 words &amp; name the decisions &lt;now&gt;.');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toContain('javascript:');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  });

  it('DOCX, read back with unzip + an XML parser, holds the task, the published text, the tables and a safe link', async () => {
    const out = await exportRun(artifact, 'docx');
    expect(out.contentType).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    const file = join(tmp, out.filename);
    writeFileSync(file, out.body);
    const xml = execFileSync('unzip', ['-p', file, 'word/document.xml'], { encoding: 'utf8' });
    const rels = execFileSync('unzip', ['-p', file, 'word/_rels/document.xml.rels'], { encoding: 'utf8' });
    const dom = new DOMParser().parseFromString(xml, 'text/xml');
    const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
    const paragraphs = Array.from(dom.getElementsByTagNameNS(W, 'p')).map((p) => {
      // A w:br inside a run is a line break.
      const parts: string[] = [];
      const walk = (n: Element) => {
        for (const c of Array.from(n.childNodes) as Element[]) {
          if (c.namespaceURI === W && c.localName === 't') parts.push(c.textContent ?? '');
          else if (c.namespaceURI === W && c.localName === 'br') parts.push('\n');
          else if (c.nodeType === 1) walk(c);
        }
      };
      walk(p as unknown as Element);
      return parts.join('');
    });
    expect(paragraphs).toContain(`DJP run ${artifact.id}`);
    expect(paragraphs).toContain(artifact.task);
    expect(paragraphs).toContain('Published answer');
    expect(paragraphs).toContain('Bottom line');
    expect(paragraphs).toContain('Keep the new pricing but watch churn — see the dashboard and this.');
    expect(paragraphs).toContain('Revenue up 12%');
    expect(paragraphs).toContain('if (churn > 0.03) alert()');
    expect(paragraphs.join('\n')).toContain('<script>alert("x")</script>'); // as text, which Word cannot run
    // Bold run for **new pricing**; numbered and bulleted list paragraphs; tables for the answer, scores, cost.
    const boldRuns = Array.from(dom.getElementsByTagNameNS(W, 'r')).filter((r) => r.getElementsByTagNameNS(W, 'b').length > 0).map((r) => r.textContent);
    expect(boldRuns).toContain('new pricing');
    expect(dom.getElementsByTagNameNS(W, 'numPr').length).toBeGreaterThanOrEqual(4);
    const tables = Array.from(dom.getElementsByTagNameNS(W, 'tbl')).map((t) => Array.from(t.getElementsByTagNameNS(W, 'tr')).map((tr) => Array.from(tr.getElementsByTagNameNS(W, 'tc')).map((tc) => tc.textContent)));
    expect(tables).toContainEqual([['Metric', 'Q2', 'Q3'], ['Churn', '2.1%', '3.4%']]);
    expect(tables.some((t) => JSON.stringify(t[1]) === JSON.stringify(['d1', 'openai/openai-model', '8.50', '4', '3', '1.50', 'clear and sourced']))).toBe(true);
    expect(tables.some((t) => JSON.stringify(t[3]) === JSON.stringify(['Total', '$0.0123', '1500', '700']))).toBe(true);
    expect(rels).toContain('Target="https://example.com/churn"');
    expect(rels).not.toContain('javascript:');
  });

  it('an advisory run exports its best draft, labelled as not published', async () => {
    const advisory = makeArtifact({ status: 'advisory_only' });
    const md = text((await exportRun(advisory, 'md')).body);
    expect(md).toContain('## Advisory result (not published)');
    expect(md).toContain(advisory.drafts[0]!.answer);
    expect(md).not.toContain('## Published answer');
  });
});
