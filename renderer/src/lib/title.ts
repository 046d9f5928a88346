// Page titles: the screen's name by default (App), a run's task where one is shown; and the
// window event that tells the nav's pending-approvals count to refresh.
import { useEffect } from 'react';

export const APP_TITLE = 'DJP Workflow';

export function setTitle(label: string): void {
  document.title = `${label} · ${APP_TITLE}`;
}

/** Names the page after a run's task once it is known (null: leave the screen's title). */
export function useRunTitle(task: string | null | undefined): void {
  useEffect(() => {
    if (task) setTitle(`Run: ${task.length > 60 ? `${task.slice(0, 59)}…` : task}`);
  }, [task]);
}

/** Dispatched on window when an approval decision changed the number of pending runs. */
export const PENDING_CHANGED = 'djp:pending-changed';
