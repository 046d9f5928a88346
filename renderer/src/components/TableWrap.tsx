// The box a wide table scrolls sideways in: focusable, so the scrolling works by keyboard too
// (axe: scrollable-region-focusable), and named for screen readers.
import type { ReactNode } from 'react';

export function TableWrap({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-wrap" tabIndex={0} role="group" aria-label={label}>
      {children}
    </div>
  );
}
