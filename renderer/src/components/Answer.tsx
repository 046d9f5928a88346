// An answer as a reader sees it, wherever one appears (drafts, the published text, approvals,
// compare): rendered Markdown (lazy chunk; plain text until it loads), a Source toggle, optional
// Copy, and for long ones a clipped, keyboard-scrollable box with Show all / Show less.
import { lazy, Suspense, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { copyText } from '../lib/clipboard.js';

const Markdown = lazy(() => import('../markdown/Markdown.js'));

export interface AnswerProps {
  text: string;
  /** Accessible name of the answer's box, e.g. "Draft d1 answer". */
  label: string;
  /** Clip long answers (max height) with a Show all button. */
  collapsible?: boolean;
  copy?: boolean;
  /** Shown when the text is empty. */
  placeholder?: ReactNode;
  className?: string;
  testId?: string;
}

export function Answer({ text, label, collapsible = false, copy = false, placeholder, className, testId }: AnswerProps) {
  const [source, setSource] = useState(false);
  const [expanded, setExpanded] = useState(false);
  const [overflows, setOverflows] = useState(false);
  const [copied, setCopied] = useState<string | null>(null);
  const box = useRef<HTMLDivElement>(null);

  // Whether the clipped box hides anything (re-measured when it resizes: Markdown loads lazily).
  useLayoutEffect(() => {
    const el = box.current;
    if (!el || !collapsible) return;
    const measure = () => setOverflows(el.scrollHeight > el.clientHeight + 2);
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    if (el.firstElementChild) ro.observe(el.firstElementChild);
    return () => ro.disconnect();
  }, [collapsible, text, source, expanded]);

  const doCopy = async () => setCopied((await copyText(text)) ? 'Copied to the clipboard.' : 'Copy failed: the browser blocked clipboard access. Select the text and copy it instead.');

  const body = !text ? (
    (placeholder ?? null)
  ) : source ? (
    <pre className="answer-source">{text}</pre>
  ) : (
    <Suspense fallback={<div className="answer-plain">{text}</div>}>
      <Markdown text={text} />
    </Suspense>
  );

  return (
    <div className={`answer ${className ?? ''}`}>
      <div
        ref={box}
        className={`answer-body ${collapsible && !expanded ? 'clipped' : ''}`}
        role="region"
        aria-label={label}
        // Focusable so a clipped or wide answer scrolls by keyboard too.
        tabIndex={0}
        data-testid={testId}
        data-source={source ? 'true' : 'false'}
      >
        {body}
      </div>
      {text && (
        <div className="answer-tools">
          {collapsible && (overflows || expanded) && (
            <button type="button" className="small-button" aria-expanded={expanded} onClick={() => setExpanded((x) => !x)}>
              {expanded ? 'Show less' : 'Show all'}
            </button>
          )}
          <button type="button" className="small-button" aria-pressed={source} onClick={() => setSource((s) => !s)} title="Show the Markdown source">
            Source
          </button>
          {copy && (
            <button type="button" className="small-button" onClick={doCopy} aria-label={`Copy ${label}`}>
              Copy
            </button>
          )}
          {copied && (
            <span role="status" className="muted small">
              {copied}
            </span>
          )}
        </div>
      )}
    </div>
  );
}
