// The Run and Follow-up forms start the same way: the submit button, or Ctrl+Enter / ⌘+Enter from any
// field of the form (docs/UI.md, keyboard).
import type { FormEvent, KeyboardEvent } from 'react';

/** onSubmit and onKeyDown for a <form> whose submit calls `start`. */
export function submitHandlers(start: () => unknown): { onSubmit: (e: FormEvent) => void; onKeyDown: (e: KeyboardEvent) => void } {
  return {
    onSubmit: (e) => {
      e.preventDefault();
      void start();
    },
    onKeyDown: (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        void start();
      }
    },
  };
}
