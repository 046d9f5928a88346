// Review finding: DjpServer.shutdown() called a second time (a second SIGTERM handler, a harness
// and a signal) resolved at once while the first was still draining, so its caller could exit
// with runs in flight. Both calls now wait for the same shutdown.
import { describe, expect, it } from 'vitest';
import { createMemoryApi } from '../server/memory-api.js';
import { startServer } from '../server/http-helpers.js';

describe('shutdown twice', () => {
  it('the second call resolves only when the first has drained', async () => {
    const api = createMemoryApi({ stepMs: 60, deltas: 4 });
    const t = await startServer(api);
    try {
      await api.startRun({ task: 'slow' }, { identity: { user: 'x', source: 'none' } });
      const first = t.server.shutdown(5000);
      await t.server.shutdown(5000);
      expect(api.inFlight()).toBe(0);
      await first;
    } finally {
      if (t.server.server.listening) await t.close();
    }
  });
});
