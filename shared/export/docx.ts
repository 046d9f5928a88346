// DOCX export with the `docx` package: headings, paragraphs, the answer's Markdown as Word structure
// (bold/italic/strike, inline and block code, bullet and numbered lists, quotes, tables, links with
// http(s)/mailto targets only), and the scores and cost tables as Word tables.
import {
  AlignmentType,
  Document,
  ExternalHyperlink,
  HeadingLevel,
  LevelFormat,
  Packer,
  Paragraph,
  ShadingType,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
  type ParagraphChild,
} from 'docx';
import { marked, type Token, type Tokens } from 'marked';
import type { ExportDocument, ExportTable } from './document.js';
import { safeHref } from './html.js';

type Block = Paragraph | Table;
type Style = { bold?: boolean; italics?: boolean; strike?: boolean; code?: boolean };

const MONO = 'Courier New';
const HEADINGS = [HeadingLevel.HEADING_3, HeadingLevel.HEADING_4, HeadingLevel.HEADING_5, HeadingLevel.HEADING_6, HeadingLevel.HEADING_6, HeadingLevel.HEADING_6] as const;

/** Text with line breaks as runs (Word needs explicit breaks). */
function runs(text: string, style: Style = {}): TextRun[] {
  return text.split(/\r?\n/).map((line, i) => new TextRun({ text: line, break: i > 0 ? 1 : undefined, bold: style.bold, italics: style.italics, strike: style.strike, font: style.code ? MONO : undefined }));
}

/** A whole document's own headings: # is Heading 1 (a thread export), not an answer's Heading 3. */
const DOC_HEADINGS = [HeadingLevel.HEADING_1, HeadingLevel.HEADING_2, HeadingLevel.HEADING_3, HeadingLevel.HEADING_4, HeadingLevel.HEADING_5, HeadingLevel.HEADING_6] as const;

class Converter {
  private lists = 0;
  constructor(private readonly headings: readonly (typeof HeadingLevel)[keyof typeof HeadingLevel][] = HEADINGS) {}

  inline(tokens: Token[] | undefined, style: Style = {}): ParagraphChild[] {
    return (tokens ?? []).flatMap((t): ParagraphChild[] => {
      switch (t.type) {
        case 'strong':
          return this.inline((t as Tokens.Strong).tokens, { ...style, bold: true });
        case 'em':
          return this.inline((t as Tokens.Em).tokens, { ...style, italics: true });
        case 'del':
          return this.inline((t as Tokens.Del).tokens, { ...style, strike: true });
        case 'codespan':
          return runs((t as Tokens.Codespan).text, { ...style, code: true });
        case 'br':
          return [new TextRun({ text: '', break: 1 })];
        case 'link': {
          const l = t as Tokens.Link;
          const href = safeHref(l.href);
          const children = this.inline(l.tokens, style);
          return href ? [new ExternalHyperlink({ link: href, children: children.filter((c): c is TextRun => c instanceof TextRun) })] : children;
        }
        case 'image': {
          const i = t as Tokens.Image;
          return runs(`[image: ${i.text || i.href}]`, style);
        }
        case 'text': {
          const x = t as Tokens.Text;
          return x.tokens ? this.inline(x.tokens, style) : runs(x.text, style);
        }
        default:
          return runs((t as { raw?: string }).raw ?? '', style);
      }
    });
  }

  blocks(tokens: Token[], list?: { ordered: boolean; instance: number; level: number }): Block[] {
    return tokens.flatMap((t): Block[] => {
      switch (t.type) {
        case 'heading': {
          const h = t as Tokens.Heading;
          return [new Paragraph({ heading: this.headings[Math.min(5, h.depth - 1)], children: this.inline(h.tokens) })];
        }
        case 'paragraph':
        case 'text': {
          const children = t.type === 'paragraph' ? this.inline((t as Tokens.Paragraph).tokens) : (t as Tokens.Text).tokens ? this.inline((t as Tokens.Text).tokens) : runs((t as Tokens.Text).text);
          if (list) return [new Paragraph({ children, ...(list.ordered ? { numbering: { reference: 'ordered', level: list.level, instance: list.instance } } : { bullet: { level: list.level } }) })];
          return [new Paragraph({ children })];
        }
        case 'list': {
          const l = t as Tokens.List;
          const inner = { ordered: l.ordered, instance: ++this.lists, level: list ? Math.min(list.level + 1, 8) : 0 };
          return l.items.flatMap((item) => {
            const prefix = item.task ? (item.checked ? '☑ ' : '☐ ') : '';
            const [first, ...rest] = item.tokens;
            if (first && prefix && (first.type === 'text' || first.type === 'paragraph')) {
              const x = first as Tokens.Text;
              return this.blocks([{ ...x, tokens: [{ type: 'text', raw: prefix, text: prefix } as Tokens.Text, ...(x.tokens ?? [])] } as Token, ...rest], inner);
            }
            return this.blocks(item.tokens, inner);
          });
        }
        case 'code':
          return [new Paragraph({ children: runs((t as Tokens.Code).text, { code: true }), shading: { type: ShadingType.CLEAR, fill: 'F3F4F6', color: 'auto' } })];
        case 'blockquote':
          return this.blocks((t as Tokens.Blockquote).tokens);
        case 'table': {
          const tb = t as Tokens.Table;
          return [
            makeTable(
              tb.header.map((c) => this.inline(c.tokens, { bold: true })),
              tb.rows.map((r) => r.map((c) => this.inline(c.tokens))),
            ),
          ];
        }
        case 'hr':
          return [new Paragraph({ children: [new TextRun('———')], alignment: AlignmentType.CENTER })];
        case 'space':
          return [];
        default:
          return [new Paragraph({ children: runs((t as { raw?: string }).raw ?? '') })];
      }
    });
  }
}

function makeTable(header: ParagraphChild[][], rows: ParagraphChild[][][]): Table {
  const row = (cells: ParagraphChild[][], head: boolean) =>
    new TableRow({ tableHeader: head, children: cells.map((children) => new TableCell({ children: [new Paragraph({ children })], ...(head ? { shading: { type: ShadingType.CLEAR, fill: 'EEF1F4', color: 'auto' } } : {}) })) });
  return new Table({ width: { size: 100, type: WidthType.PERCENTAGE }, rows: [row(header, true), ...rows.map((r) => row(r, false))] });
}

const textTable = (t: ExportTable): Table => makeTable(t.header.map((h) => runs(h, { bold: true })), t.rows.map((r) => r.map((c) => runs(c))));
const heading = (text: string, level: (typeof HeadingLevel)[keyof typeof HeadingLevel] = HeadingLevel.HEADING_2) => new Paragraph({ heading: level, children: runs(text) });
const pairs = (rows: Array<[string, string]>): Paragraph[] => rows.map(([k, v]) => new Paragraph({ children: [new TextRun({ text: `${k}: `, bold: true }), ...runs(v)] }));

export async function toDocx(doc: ExportDocument): Promise<Uint8Array> {
  const md = new Converter();
  const answer = doc.answer.markdown === null ? [new Paragraph({ children: runs('No answer text.', { italics: true }) })] : md.blocks(marked.lexer(doc.answer.markdown, { gfm: true }));
  const children: Block[] = [
    new Paragraph({ heading: HeadingLevel.TITLE, children: runs(doc.title) }),
    ...pairs(doc.summary),
    heading('Task'),
    // The task is plain text, kept as written (line breaks included).
    new Paragraph({ children: runs(doc.task) }),
    heading(doc.answer.heading),
    ...answer,
    new Paragraph({ children: runs(doc.answer.note, { italics: true }) }),
    heading('Scores'),
    textTable(doc.scores),
    heading('Cost'),
    textTable(doc.costs),
    ...doc.costNotes.map((n) => new Paragraph({ bullet: { level: 0 }, children: runs(n) })),
    heading('Provenance'),
    ...pairs(doc.provenance),
    heading('Drafts'),
    ...doc.drafts.flatMap((d) => [heading(d.heading, HeadingLevel.HEADING_3), ...md.blocks(marked.lexer(d.markdown, { gfm: true }))]),
  ];
  return docxFile(doc.title, children);
}

/** A Markdown document (e.g. a whole thread, shared/threads/export.ts) as DOCX: its headings, lists, tables and code as Word structure. */
export async function markdownDocx(title: string, markdown: string): Promise<Uint8Array> {
  return docxFile(title, new Converter(DOC_HEADINGS).blocks(marked.lexer(markdown, { gfm: true })));
}

async function docxFile(title: string, children: Block[]): Promise<Uint8Array> {
  const file = new Document({
    creator: 'DJP Workflow',
    title,
    description: `Export of ${title}`,
    numbering: {
      config: [
        {
          reference: 'ordered',
          levels: Array.from({ length: 9 }, (_, level) => ({ level, format: LevelFormat.DECIMAL, text: `%${level + 1}.`, alignment: AlignmentType.START, style: { paragraph: { indent: { left: 720 * (level + 1), hanging: 360 } } } })),
        },
      ],
    },
    sections: [{ children }],
  });
  return new Uint8Array(await Packer.toBuffer(file));
}
