// The shell: navigation and the screen for the current hash route.
import { Component, lazy, Suspense, useEffect, type ReactNode } from 'react';
import { ApprovalsScreen } from './screens/ApprovalsScreen.js';
import { HistoryScreen } from './screens/HistoryScreen.js';
import { RunDetailScreen } from './screens/RunDetailScreen.js';
import { RunScreen } from './screens/RunScreen.js';
import { SettingsScreen } from './screens/SettingsScreen.js';
import { useRoute } from './router.js';

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

export function App() {
  const { path } = useRoute();
  const active = path.startsWith('/runs/') ? '/history' : path;
  useEffect(() => {
    const label = path.startsWith('/runs/') ? 'Run details' : (NAV.find((n) => n.path === path)?.label ?? 'Not found');
    document.title = `${label} · DJP Workflow`;
  }, [path]);
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
