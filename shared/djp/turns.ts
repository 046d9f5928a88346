// Cooperative yielding for the synchronous stages of a run. When many runs reach the same stage at
// once (fifty runs started by one burst of requests, fifty judge answers arriving together), their
// synchronous work would otherwise run back to back in one event-loop turn, and every other request
// (a /healthz probe, an SSE write) would wait behind all of it. `nextTurn()` resumes its waiters in
// the order they asked, as many per event-loop turn as fit in a small time budget (TURN_BUDGET_MS of
// their synchronous work), so I/O is polled at least that often between slices.
//
// Why a budget rather than one waiter per turn: a turn under load is not free — it runs every I/O
// callback that is ready (provider streams, SSE writes, file completions) — so spreading a burst of
// fifty sub-millisecond starts over fifty turns held the last run's start (and its provider calls)
// back by hundreds of milliseconds, far longer than its own work. It adds no work, only ordering; a
// lone run waits one turn (microseconds).

type Resume = () => void;

/** Synchronous work of resumed waiters per event-loop turn before the rest wait for the next turn (ms). */
export const TURN_BUDGET_MS = 3;

const waiting: Resume[] = [];
let head = 0;
let armed = false;

// setImmediate (Node, Electron main) runs after the I/O poll phase; a callback scheduled from inside
// one runs on the next turn, which is what spreads the waiters out.
const defer: (fn: () => void) => void = typeof setImmediate === 'function' ? (fn) => void setImmediate(fn) : (fn) => void setTimeout(fn, 0);

// Runs `fn` once the microtasks queued so far — and those they queue — have drained, still in this
// turn: a nextTick queued from a microtask runs when the microtask queue is empty (Node). There, a
// resumed waiter's continuation has run up to its first real wait, so the time it took is known.
const afterMicrotasks: ((fn: () => void) => void) | null =
  typeof process !== 'undefined' && typeof process.nextTick === 'function' ? (fn) => queueMicrotask(() => process.nextTick(fn)) : null;

const clock: () => number = typeof performance !== 'undefined' ? () => performance.now() : () => Date.now();

function take(): Resume | undefined {
  const resume = waiting[head];
  waiting[head++] = undefined as unknown as Resume;
  if (head === waiting.length) {
    waiting.length = 0;
    head = 0;
  }
  return resume;
}

function step(): void {
  const started = clock();
  // Only waiters queued before this turn began go in it: one that asks again during the turn (a run
  // moving on to its next stage) waits for a later turn, as the contract says.
  let quota = waiting.length - head;
  const resumeNext = (): void => {
    quota--;
    // The waiter's continuation runs in the microtask checkpoint right after this.
    take()?.();
    if (waiting.length === head) {
      armed = false;
      return;
    }
    if (quota <= 0 || !afterMicrotasks) {
      defer(step);
      return;
    }
    afterMicrotasks(() => (clock() - started < TURN_BUDGET_MS ? resumeNext() : defer(step)));
  };
  resumeNext();
}

/**
 * Resolves on a later event-loop turn; concurrent callers resume first come first served, as many
 * per turn as fit in TURN_BUDGET_MS of their synchronous work.
 */
export function nextTurn(): Promise<void> {
  return new Promise<void>((resolve) => {
    waiting.push(resolve);
    if (!armed) {
      armed = true;
      defer(step);
    }
  });
}

// The current turn's slice, for long loops that run inside I/O callbacks (a provider stream's chunks):
// set by the first yieldIfSpent() of a turn, cleared on the check phase that follows.
let sliceStart = -1;
const endSlice = (): void => {
  sliceStart = -1;
};

/**
 * For a long loop driven by I/O (each chunk of a provider stream): null while this event-loop turn has
 * spent less than TURN_BUDGET_MS since the loop's first check in it, else nextTurn() to await before
 * going on — so fifty streams whose answers arrive together are read a budget at a time, with other
 * requests (a /healthz probe, an SSE client) answered in between, instead of in one long turn.
 */
export function yieldIfSpent(): Promise<void> | null {
  const t = clock();
  if (sliceStart < 0) {
    sliceStart = t;
    defer(endSlice);
    return null;
  }
  return t - sliceStart < TURN_BUDGET_MS ? null : nextTurn();
}

/** How many waiters are queued (for tests and diagnostics). */
export function turnsWaiting(): number {
  return waiting.length - head;
}
