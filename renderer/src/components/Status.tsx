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

/** An error line announced to screen readers, where the failure happened. */
export function ErrorAlert({ children }: { children: ReactNode }) {
  return (
    <p className="error" role="alert">
      {children}
    </p>
  );
}
