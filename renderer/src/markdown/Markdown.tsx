// Markdown as answers are written by the models: GitHub-flavoured (tables, task lists,
// strikethrough, autolinks) through react-markdown + remark-gfm, then rehype-sanitize with its
// GitHub-style schema. Raw HTML in an answer is never parsed into elements (it is shown as text:
// remarkHtmlAsText; there is no rehype-raw), `javascript:`/`data:` URLs are dropped by the sanitizer
// and again by the URL transform, so <script>, <img onerror> and the like render inert (test/e2e/markdown.spec.ts).
// This module is its own chunk (React.lazy in components/Answer.tsx); syntax highlighting is
// another, loaded when the first code block appears.
import { useEffect, useState, type ComponentProps, type ReactNode } from 'react';
import ReactMarkdown, { defaultUrlTransform, type Components, type ExtraProps } from 'react-markdown';
import rehypeSanitize from 'rehype-sanitize';
import remarkGfm from 'remark-gfm';
import type { Element, ElementContent } from 'hast';
import type { Root as MdRoot, RootContent as MdNode } from 'mdast';
import { copyText } from '../lib/clipboard.js';

type Highlighter = (code: string, lang: string | null) => ReactNode | null;
let highlighter: Promise<Highlighter> | null = null;
const loadHighlighter = () => (highlighter ??= import('./highlight.js').then((m) => m.highlight));

function textOf(nodes: ElementContent[]): string {
  return nodes.map((n) => (n.type === 'text' ? n.value : n.type === 'element' ? textOf(n.children) : '')).join('');
}

function codeInfo(pre: Element | undefined): { code: string; lang: string | null } {
  const code = pre?.children.find((c): c is Element => c.type === 'element' && c.tagName === 'code');
  if (!code) return { code: pre ? textOf(pre.children) : '', lang: null };
  const cls = code.properties?.className;
  const list: string[] = Array.isArray(cls) ? cls.map(String) : typeof cls === 'string' ? String(cls).split(' ') : [];
  const lang = list.find((c) => c.startsWith('language-'))?.slice('language-'.length) ?? null;
  return { code: textOf(code.children).replace(/\n$/, ''), lang };
}

function CodeBlock({ node }: ComponentProps<'pre'> & ExtraProps) {
  const { code, lang } = codeInfo(node);
  const [html, setHtml] = useState<ReactNode | null>(null);
  const [copied, setCopied] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setHtml(null);
    void loadHighlighter().then((h) => live && setHtml(h(code, lang)));
    return () => {
      live = false;
    };
  }, [code, lang]);
  const copy = async () => setCopied((await copyText(code)) ? 'Copied' : 'Copy failed — select the code instead');
  return (
    <div className="code-block">
      <div className="code-bar">
        <span className="small muted">{lang ?? 'code'}</span>
        <button type="button" className="small-button" onClick={copy} aria-label={`Copy ${lang ?? ''} code`.replace('  ', ' ')}>
          Copy
        </button>
        {copied && (
          <span role="status" className="small muted">
            {copied}
          </span>
        )}
      </div>
      {/* tabIndex: a long line scrolls sideways, by keyboard too */}
      <pre tabIndex={0} aria-label={`${lang ?? 'Code'} block`}>
        <code className={lang ? `hljs language-${lang}` : 'hljs'}>{html ?? code}</code>
      </pre>
    </div>
  );
}

const EXTERNAL = /^(https?:|mailto:)/i;

const components: Components = {
  pre: CodeBlock,
  // External links open outside the app: a new tab in a browser, the system browser on the desktop
  // (main/main.ts's window-open handler), never with access to this page.
  a: ({ node: _node, href, children, ...rest }) =>
    !href ? (
      // The sanitizer or the URL transform dropped an unsafe address (javascript:, data:, …).
      <span className="link-removed" title="Link removed: unsafe address">
        {children}
      </span>
    ) : EXTERNAL.test(href) ? (
      <a {...rest} href={href} target="_blank" rel="noopener noreferrer nofollow">
        {children}
        <span className="sr-only"> (opens outside the app)</span>
      </a>
    ) : (
      <a {...rest} href={href}>
        {children}
      </a>
    ),
  // Task-list boxes are read-only marks, not form controls.
  input: ({ node: _node, checked, type }) =>
    type === 'checkbox' ? (
      <span className="task-box" role="img" aria-label={checked ? 'done' : 'not done'}>
        {checked ? '☑' : '☐'}
      </span>
    ) : null,
  // Tables scroll inside their own box (keyboard-focusable) instead of widening the page.
  table: ({ node: _node, children, ...rest }) => (
    <div className="md-table" tabIndex={0} role="group" aria-label="Table">
      <table {...rest}>{children}</table>
    </div>
  ),
  // Models' headings sit under the page's own; keep them visually modest and out of the outline's top.
  h1: ({ node: _node, ...p }) => <h4 {...p} />,
  h2: ({ node: _node, ...p }) => <h4 {...p} />,
  h3: ({ node: _node, ...p }) => <h5 {...p} />,
  h4: ({ node: _node, ...p }) => <h5 {...p} />,
  h5: ({ node: _node, ...p }) => <h6 {...p} />,
};

const BLOCK_PARENTS = new Set(['root', 'blockquote', 'listItem', 'footnoteDefinition']);

/**
 * Raw HTML in an answer is shown as the text the model wrote (never parsed into elements): an
 * html node becomes a text node (in a paragraph where a block is expected). rehype-sanitize still
 * runs over everything after this.
 */
function remarkHtmlAsText() {
  const walk = (node: { type: string; children?: MdNode[] }) => {
    if (!node.children) return;
    node.children = node.children.map((c): MdNode => {
      if (c.type !== 'html') {
        walk(c as { type: string; children?: MdNode[] });
        return c;
      }
      const text = { type: 'text' as const, value: c.value };
      return BLOCK_PARENTS.has(node.type) ? { type: 'paragraph', children: [text] } : text;
    });
  };
  return (tree: MdRoot) => walk(tree);
}

const urlTransform = (url: string): string | undefined => {
  const safe = defaultUrlTransform(url);
  return !safe || /^\s*(javascript|vbscript|data):/i.test(safe) ? undefined : safe;
};

export default function Markdown({ text }: { text: string }) {
  return (
    <div className="md">
      <ReactMarkdown remarkPlugins={[remarkGfm, remarkHtmlAsText]} rehypePlugins={[rehypeSanitize]} components={components} urlTransform={urlTransform}>
        {text}
      </ReactMarkdown>
    </div>
  );
}
