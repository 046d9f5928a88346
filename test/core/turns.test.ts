import { describe, expect, it } from 'vitest';
import { nextTurn, turnsWaiting } from '../../shared/djp/turns.js';

describe('nextTurn', () => {
  it('resumes concurrent waiters one per event-loop turn, first come first served', async () => {
    const log: string[] = [];
    const waits = ['a', 'b', 'c'].map((n) => nextTurn().then(() => log.push(n)));
    expect(turnsWaiting()).toBe(3);
    // Queued after the first waiter's turn was armed: runs in that same turn, so it lands after `a`
    // and before `b` only if the waiters are spread over turns (not released together).
    setImmediate(() => log.push('other work'));
    await Promise.all(waits);
    expect(log).toEqual(['a', 'other work', 'b', 'c']);
    expect(turnsWaiting()).toBe(0);
  });

  it('lets I/O callbacks run between waiters', async () => {
    const { createServer, connect } = await import('node:net');
    const server = createServer((s) => s.end('x'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      let received = false;
      const sock = connect(port, '127.0.0.1');
      sock.on('data', () => (received = true));
      await new Promise((r) => sock.once('connect', r));
      // Many waiters, each checking whether the socket's data has arrived yet. If they all resumed
      // in one turn, none would see it; spread over turns, the later ones do.
      const seen = await Promise.all(Array.from({ length: 200 }, () => nextTurn().then(() => received)));
      sock.destroy();
      expect(seen[0]).toBe(false);
      expect(seen.at(-1)).toBe(true);
    } finally {
      server.close();
    }
  });

  it('works again after the queue has drained', async () => {
    await nextTurn();
    expect(turnsWaiting()).toBe(0);
    const order: number[] = [];
    await Promise.all([1, 2].map((n) => nextTurn().then(() => order.push(n))));
    expect(order).toEqual([1, 2]);
  });
});
