// Syntax highlighting, loaded only when an answer has a code block (its own chunk): lowlight
// (highlight.js grammars) returns a hast tree, turned into React elements — no HTML strings, no
// innerHTML, so nothing in the code can become markup.
import { Fragment, jsx, jsxs } from 'react/jsx-runtime';
import type { ReactNode } from 'react';
import { toJsxRuntime } from 'hast-util-to-jsx-runtime';
import { common, createLowlight } from 'lowlight';

const lowlight = createLowlight(common);

/** Highlighted code for a fenced block; null when the language is unknown (shown plain). */
export function highlight(code: string, lang: string | null): ReactNode | null {
  try {
    const tree = lang && lowlight.registered(lang) ? lowlight.highlight(lang, code) : lang ? null : lowlight.highlightAuto(code, { subset: ['javascript', 'typescript', 'python', 'bash', 'json', 'sql', 'yaml', 'go', 'rust', 'java'] });
    if (!tree) return null;
    return toJsxRuntime(tree, { Fragment, jsx, jsxs });
  } catch {
    return null;
  }
}
