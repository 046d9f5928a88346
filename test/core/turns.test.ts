import { describe, expect, it } from 'vitest';
import { TURN_BUDGET_MS, nextTurn, turnsWaiting, yieldIfSpent } from '../../shared/djp/turns.js';

const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    /* synchronous work */
  }
};

/** Runs `fn` while a local server's one byte is on its way to a client socket; `received()` says whether it has arrived. */
async function whileDataArrives(fn: (received: () => boolean) => Promise<void>): Promise<void> {
  const { createServer, connect } = await import('node:net');
  const server = createServer((s) => s.end('x'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  let received = false;
  const sock = connect(port, '127.0.0.1');
  sock.on('data', () => (received = true));
  try {
    await new Promise((r) => sock.once('connect', r));
    await fn(() => received);
  } finally {
    sock.destroy();
    server.close();
  }
}

describe('nextTurn', () => {
  it('resumes concurrent waiters first come first served, cheap ones in the same turn', async () => {
    const log: string[] = [];
    const waits = ['a', 'b', 'c'].map((n) => nextTurn().then(() => log.push(n)));
    expect(turnsWaiting()).toBe(3);
    // Queued after the first waiter's turn was armed: runs in that same turn, after it. Three waiters
    // with no work fit in one turn's budget, so all three come first.
    setImmediate(() => log.push('other work'));
    await Promise.all(waits);
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['a', 'b', 'c', 'other work']);
    expect(turnsWaiting()).toBe(0);
  });

  it('spreads waiters over turns once a turn has used its budget', async () => {
    const log: string[] = [];
    // Each waiter works longer than a turn's budget: one per turn, other work in between.
    const waits = ['a', 'b', 'c'].map((n) =>
      nextTurn().then(() => {
        log.push(n);
        busy(TURN_BUDGET_MS + 1);
      }),
    );
    setImmediate(() => log.push('other work'));
    await Promise.all(waits);
    expect(log).toEqual(['a', 'other work', 'b', 'c']);
  });

  it('resumes a waiter that asks again during its turn on a later turn', async () => {
    const log: string[] = [];
    await nextTurn().then(async () => {
      log.push('first');
      setImmediate(() => log.push('other work'));
      await nextTurn();
      log.push('second');
    });
    expect(log).toEqual(['first', 'other work', 'second']);
  });

  it('lets I/O callbacks run between waiters', async () => {
    await whileDataArrives(async (received) => {
      // Many waiters, each working 0.5 ms and checking whether the socket's data has arrived yet. If
      // they all resumed in one turn (100 ms of work), none would see it; spread over turns, the
      // later ones do.
      const seen = await Promise.all(
        Array.from({ length: 200 }, () =>
          nextTurn().then(() => {
            busy(0.5);
            return received();
          }),
        ),
      );
      expect(seen[0]).toBe(false);
      expect(seen.at(-1)).toBe(true);
    });
  });

  it('works again after the queue has drained', async () => {
    await nextTurn();
    expect(turnsWaiting()).toBe(0);
    const order: number[] = [];
    await Promise.all([1, 2].map((n) => nextTurn().then(() => order.push(n))));
    expect(order).toEqual([1, 2]);
  });

  it('yieldIfSpent: nothing to wait for until the turn has spent its budget, then a later turn', async () => {
    await new Promise((r) => setImmediate(r)); // a fresh turn
    expect(yieldIfSpent()).toBeNull(); // starts the slice
    expect(yieldIfSpent()).toBeNull();
    busy(TURN_BUDGET_MS + 1);
    const log: string[] = [];
    setImmediate(() => log.push('other work'));
    const later = yieldIfSpent();
    expect(later).toBeInstanceOf(Promise);
    await later;
    log.push('resumed');
    expect(log).toEqual(['other work', 'resumed']);
    // A later turn is a new slice.
    await new Promise((r) => setImmediate(r));
    expect(yieldIfSpent()).toBeNull();
  });

  it('yieldIfSpent spreads a long I/O-driven loop over turns: a socket read in between is seen', async () => {
    await whileDataArrives(async (received) => {
      // 200 chunks of 0.5 ms each, as a stream's loop would process them: without yielding, the
      // socket's data could not be seen until all 100 ms had run.
      let sawAt = -1;
      for (let i = 0; i < 200; i++) {
        busy(0.5);
        if (received() && sawAt < 0) sawAt = i;
        const later = yieldIfSpent();
        if (later) await later;
      }
      expect(sawAt).toBeGreaterThan(0);
      expect(sawAt).toBeLessThan(199);
    });
  });
});
