// Cooperative yielding for the synchronous stages of a run. When many runs reach the same stage at
// once (fifty runs started by one burst of requests, fifty judge answers arriving together), their
// synchronous work would otherwise run back to back in one event-loop turn, and every other request
// (a /healthz probe, an SSE write) would wait behind all of it. `nextTurn()` resumes its waiters one
// per event-loop turn, in the order they asked, so I/O is polled between one run's slice and the next.
// It adds no work, only ordering; a lone run waits one turn (microseconds).

type Resume = () => void;

const waiting: Resume[] = [];
let head = 0;
let armed = false;

// setImmediate (Node, Electron main) runs after the I/O poll phase; a callback scheduled from inside
// one runs on the next turn, which is what spreads the waiters out.
const defer: (fn: () => void) => void = typeof setImmediate === 'function' ? (fn) => void setImmediate(fn) : (fn) => void setTimeout(fn, 0);

function step(): void {
  const resume = waiting[head];
  waiting[head++] = undefined as unknown as Resume;
  if (head === waiting.length) {
    waiting.length = 0;
    head = 0;
  }
  if (waiting.length > head) defer(step);
  else armed = false;
  // The waiter's continuation runs in the microtask checkpoint right after this callback.
  resume?.();
}

/** Resolves on a later event-loop turn; concurrent callers resume one per turn, first come first served. */
export function nextTurn(): Promise<void> {
  return new Promise<void>((resolve) => {
    waiting.push(resolve);
    if (!armed) {
      armed = true;
      defer(step);
    }
  });
}

/** How many waiters are queued (for tests and diagnostics). */
export function turnsWaiting(): number {
  return waiting.length - head;
}
