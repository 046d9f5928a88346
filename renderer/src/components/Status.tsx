// The progress and error lines every screen shows while it loads (one markup, one accessible role).
import type { ReactNode } from 'react';

/** A polite progress line with a spinner: "Loading runs…". */
export function Loading({ children }: { children: ReactNode }) {
  return (
    <p role="status" className="muted">
      <span className="spinner small" aria-hidden="true" /> {children}
    </p>
  );
}

/** An error line announced to screen readers, where the failure happened; with Retry when given. */
export function ErrorAlert({ children, onRetry }: { children: ReactNode; onRetry?: () => void }) {
  return (
    <p className="error" role="alert">
      {children}
      {onRetry && (
        <>
          {' '}
          <button type="button" onClick={onRetry}>
            Retry
          </button>
        </>
      )}
    </p>
  );
}

/** The live run's connection: lost (being retried, resuming after the last event seen) or back. */
export function ConnectionNote({ state }: { state: 'ok' | 'lost' | 'back' }) {
  if (state === 'ok') return null;
  return state === 'lost' ? (
    <p className="warning connection" role="alert" data-connection="lost">
      <span className="spinner small" aria-hidden="true" /> Connection lost — reconnecting… The run goes on on the server; what it streams meanwhile is caught up when the connection returns. If this lasts, check that the DJP server is running.
    </p>
  ) : (
    <p className="ok-note connection" role="status" data-connection="back">
      Connection is back — following the run live again.
    </p>
  );
}
