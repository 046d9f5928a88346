// Review finding: a client reconnecting (Last-Event-ID) to a run that ended in run.error — which
// has no artifact, so getRun answers not_found — was held on an idle stream of heartbeats forever
// instead of being told the stream is over (204), as it is for a run that ended in run.done.
import { describe, expect, it } from 'vitest';
import { DjpError, type RunEvent } from '../../shared/api/index.js';
import { createMemoryApi } from '../server/memory-api.js';
import { startServer } from '../server/http-helpers.js';

const ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
const at = new Date().toISOString();
const EVENTS = [
  { type: 'run.started', run_id: ID, seq: 0, at, task: 't', drafts: [], judge: { provider: 'offline', model: 'offline/judge' }, projected_usd: null },
  { type: 'run.error', run_id: ID, seq: 1, at, message: 'the run finished but could not be saved anywhere' },
] as unknown as RunEvent[];

describe('SSE resume after run.error', () => {
  it('answers 204 to a client that already has the final run.error', async () => {
    const base = createMemoryApi();
    const api = {
      ...base,
      // The service keeps the finished run's events in memory (replay, no live listener) …
      async subscribe(runId: string, listener: (e: RunEvent) => void, afterSeq = -1) {
        if (runId !== ID) throw new DjpError('not_found', 'no such run');
        for (const e of EVENTS) if (e.seq > afterSeq) listener(e);
        return () => undefined;
      },
      // … but it has no artifact: getRun is not_found.
      async getRun(): Promise<never> {
        throw new DjpError('not_found', 'run not found');
      },
    };
    const t = await startServer(api, { heartbeatMs: 50 });
    try {
      const ctl = new AbortController();
      const timer = setTimeout(() => ctl.abort(), 2000);
      const res = await fetch(`${t.base}/api/runs/${ID}/events`, { headers: { 'last-event-id': '1' }, signal: ctl.signal }).catch((e: unknown) => e);
      clearTimeout(timer);
      expect(res).toBeInstanceOf(Response);
      expect((res as Response).status).toBe(204);
      // Without Last-Event-ID the stream replays both events and ends.
      const full = await fetch(`${t.base}/api/runs/${ID}/events`);
      expect(full.status).toBe(200);
      expect(await full.text()).toContain('event: run.error');
    } finally {
      await t.close();
    }
  });
});
