// The one streaming helper (shared/api/stream.ts): iterate()'s ready/buffered, which transports use
// to answer before streaming, and runEvents over DjpApi.subscribe (SSE and the desktop channel).
import { describe, expect, it } from 'vitest';
import { DjpError, iterate, runEvents, type RunEvent } from '../../shared/api/index.js';

const at = new Date().toISOString();
const ev = (seq: number, type = 'warning'): RunEvent => ({ type, run_id: 'r', seq, at, message: 'm', status: 'published', artifact: 'x', outbox: null }) as unknown as RunEvent;

describe('iterate() ready and buffered', () => {
  it('ready resolves once the subscription is in place, with its replay queued', async () => {
    let stops = 0;
    const it$ = iterate<number>((push) => {
      push(1);
      push(2);
      return () => void stops++;
    });
    await it$.ready;
    expect(it$.buffered).toBe(2);
    expect((await it$.next()).value).toBe(1);
    expect(it$.buffered).toBe(1);
    await it$.return!();
    expect(stops).toBe(1);
  });

  it('ready rejects with why the subscription could not start; nothing is left subscribed', async () => {
    const it$ = iterate<number>(async () => {
      throw new DjpError('not_found', 'no such run', 'id');
    });
    await expect(it$.ready).rejects.toMatchObject({ code: 'not_found' });
    await expect(it$.next()).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('runEvents', () => {
  it('replays after afterSeq, streams live events, ends after run.done and releases the subscription once', async () => {
    let listener: ((e: RunEvent) => void) | null = null;
    let stops = 0;
    const seen: number[] = [];
    const api = {
      async subscribe(_id: string, l: (e: RunEvent) => void, afterSeq = -1) {
        for (const e of [ev(0), ev(1), ev(2)]) if (e.seq > afterSeq) l(e);
        listener = l;
        return () => void stops++;
      },
    };
    const events = runEvents(api, 'r', { afterSeq: 0 });
    await events.ready;
    expect(events.buffered).toBe(2);
    const loop = (async () => {
      for await (const e of events) seen.push(e.seq);
    })();
    await new Promise((r) => setTimeout(r, 5));
    listener!(ev(3));
    listener!(ev(4, 'run.done'));
    listener!(ev(5)); // after the end: not delivered
    await loop;
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(stops).toBe(1);
  });

  it('an abort ends the iteration and releases the subscription', async () => {
    let stops = 0;
    const ctl = new AbortController();
    const events = runEvents({ subscribe: async () => () => void stops++ }, 'r', { signal: ctl.signal });
    await events.ready;
    const next = events.next();
    ctl.abort();
    await expect(next).resolves.toEqual({ value: undefined, done: true });
    expect(stops).toBe(1);
  });
});
