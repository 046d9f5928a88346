// The shell: navigation and the screen for the current hash route.
import { Component, lazy, Suspense, useEffect, useRef, useState, type ReactNode } from 'react';
import { useApp } from './context.js';
import { PENDING_CHANGED, setTitle } from './lib/title.js';
import { ApprovalsScreen } from './screens/ApprovalsScreen.js';
import { HistoryScreen } from './screens/HistoryScreen.js';
import { RunDetailScreen } from './screens/RunDetailScreen.js';
import { RunScreen } from './screens/RunScreen.js';
import { SettingsScreen } from './screens/SettingsScreen.js';
import { ThreadScreen } from './screens/ThreadScreen.js';
import { rememberHistory, useRoute } from './router.js';

// Code-split: charts and the diff view load when first opened.
const InsightsScreen = lazy(() => import('./screens/InsightsScreen.js'));
const CompareScreen = lazy(() => import('./screens/CompareScreen.js'));
const TemplatesScreen = lazy(() => import('./templates/TemplatesScreen.js'));
const BatchScreen = lazy(() => import('./screens/BatchScreen.js'));

const NAV: Array<{ path: string; label: string }> = [
  { path: '/', label: 'Run' },
  { path: '/templates', label: 'Templates' },
  { path: '/history', label: 'History' },
  { path: '/compare', label: 'Compare' },
  { path: '/approvals', label: 'Approvals' },
  { path: '/batch', label: 'Batch' },
  { path: '/insights', label: 'Insights' },
  { path: '/settings', label: 'Settings' },
];

function screenFor(path: string): ReactNode {
  const run = /^\/runs\/([^/]+)$/.exec(path);
  if (run?.[1]) return <RunDetailScreen key={run[1]} runId={decodeURIComponent(run[1])} />;
  const thread = /^\/threads\/([^/]+)$/.exec(path);
  if (thread?.[1]) return <ThreadScreen key={thread[1]} threadId={decodeURIComponent(thread[1])} />;
  switch (path) {
    case '/':
      return <RunScreen />;
    case '/templates':
      return <TemplatesScreen />;
    case '/history':
      return <HistoryScreen />;
    case '/compare':
      return <CompareScreen />;
    case '/approvals':
      return <ApprovalsScreen />;
    case '/insights':
      return <InsightsScreen />;
    case '/batch':
      return <BatchScreen />;
    case '/settings':
      return <SettingsScreen />;
    default:
      return (
        <div className="screen">
          <h2>Not found</h2>
          <p>
            There is no page at <code>{path}</code>. <a href="#/">Go to Run</a>.
          </p>
        </div>
      );
  }
}

/** How many runs wait for approval (refreshed on every route change and every 20 s). */
function usePendingCount(routeKey: string): { count: number; more: boolean } | null {
  const { client } = useApp();
  const [pending, setPending] = useState<{ count: number; more: boolean } | null>(null);
  useEffect(() => {
    let live = true;
    const load = () =>
      client.listRuns({ status: 'pending_approval', limit: 100 }).then(
        (p) => live && setPending({ count: p.runs.length, more: p.next_cursor !== null }),
        () => live && setPending(null),
      );
    void load();
    const t = setInterval(load, 20_000);
    // After a decision: now, and again a moment later (a store's listing may lag the write).
    const changed = () => {
      void load();
      setTimeout(() => live && void load(), 1500);
    };
    window.addEventListener(PENDING_CHANGED, changed);
    return () => {
      live = false;
      clearInterval(t);
      window.removeEventListener(PENDING_CHANGED, changed);
    };
  }, [client, routeKey]);
  return pending;
}

/** On a route change, focus moves to the new screen's heading (screens may load lazily). */
function useFocusHeading(path: string): void {
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    let frames = 0;
    let raf = 0;
    const tryFocus = () => {
      const active = document.activeElement;
      // A screen that already moved focus (e.g. to a live run) keeps it.
      if (active && active !== document.body && !active.closest('.top') && active.id !== 'main') return;
      const h = document.querySelector<HTMLElement>('main h2');
      if (!h) {
        if (frames++ < 120) raf = requestAnimationFrame(tryFocus);
        return;
      }
      if (!h.hasAttribute('tabindex')) h.setAttribute('tabindex', '-1');
      h.focus();
    };
    raf = requestAnimationFrame(tryFocus);
    return () => cancelAnimationFrame(raf);
  }, [path]);
}

export function App() {
  const { path, params } = useRoute();
  const active = path.startsWith('/runs/') || path.startsWith('/threads/') ? '/history' : path;
  const routeKey = `${path}?${params.toString()}`;
  useEffect(() => {
    const label = path.startsWith('/runs/') ? 'Run details' : path === '/' ? 'New run' : (NAV.find((n) => n.path === path)?.label ?? 'Not found');
    setTitle(label);
    rememberHistory(location.hash);
  }, [routeKey]);
  useFocusHeading(path);
  const pending = usePendingCount(path);
  return (
    <div className="app">
      <a className="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header className="top">
        <h1>
          <span aria-hidden="true">⚖</span> DJP Workflow
        </h1>
        <nav aria-label="Main">
          {NAV.map((n) => (
            <a key={n.path} href={`#${n.path}`} aria-current={active === n.path ? 'page' : undefined}>
              {n.label}
              {n.path === '/approvals' && pending && pending.count > 0 && (
                <span className="count" data-testid="pending-count">
                  <span className="sr-only">, </span>
                  {pending.count}
                  {pending.more ? '+' : ''}
                  <span className="sr-only"> pending</span>
                </span>
              )}
            </a>
          ))}
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        <ErrorBoundary key={path}>
          <Suspense
            fallback={
              <p role="status" className="muted">
                <span className="spinner small" aria-hidden="true" /> Loading…
              </p>
            }
          >
            {screenFor(path)}
          </Suspense>
        </ErrorBoundary>
      </main>
    </div>
  );
}

/** Keeps one broken screen from blanking the app; says what happened and how to recover. */
class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state = { error: null as Error | null };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  override render() {
    if (this.state.error)
      return (
        <div className="screen" role="alert">
          <h2>This screen failed</h2>
          <p className="error">{this.state.error.message}</p>
          <p>
            Reload the page, or go back to <a href="#/">Run</a>.
          </p>
        </div>
      );
    return this.props.children;
  }
}
