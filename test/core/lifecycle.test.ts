// Run lifecycle events (shared/api/lifecycle.ts) from the real service over a real local store:
// accepted → started → finished (→ pending_approval → decided), failures and cancellations, and the
// streaming helper's cancellation and slow-consumer rules (shared/api/stream.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventHub, LifecycleEvent, iterate, type CallContext } from '../../shared/api/index.js';
import { createRunStore, silentLogger } from '../../shared/artifacts/index.js';
import { createDjpService, type DjpServiceOptions, type DjpService } from '../../shared/service/index.js';
import { startFakeLlmServer, type FakeLlmServer } from '../fakes/llm-server.js';
import { fakeEnv } from './helpers.js';

const ctx: CallContext = { identity: { user: 'alice', source: 'local' } };
let dir: string;
let fake: FakeLlmServer;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'djp-lifecycle-'));
  fake = await startFakeLlmServer();
});
afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
function service(over: Partial<DjpServiceOptions> = {}): DjpService {
  const store = createRunStore(join(dir, `runs-${++n}`), { logger: silentLogger, env: {} });
  return createDjpService({ store, env: {}, surface: 'test', retry: { baseDelayMs: 10 }, ...over });
}

/** Collects lifecycle events through the async iterable until `stop` matches one. */
async function until(svc: DjpService, stop: (e: LifecycleEvent) => boolean, signal?: AbortSignal): Promise<LifecycleEvent[]> {
  const got: LifecycleEvent[] = [];
  for await (const e of svc.lifecycle.stream({ until: stop, ...(signal ? { signal } : {}) })) got.push(LifecycleEvent.parse(e));
  return got;
}

describe('run lifecycle events', () => {
  it('accepted → started → finished for a run; pending approval, then decided; replay names its origin', async () => {
    const svc = service();
    const seen = until(svc, (e) => e.type === 'run.finished');
    const { id } = await svc.startRun({ task: 'Name a colour.', offline: true }, ctx);
    const events = await seen;
    expect(events.map((e) => e.type)).toEqual(['run.accepted', 'run.started', 'run.finished']);
    expect(events.every((e) => 'run_id' in e && e.run_id === id)).toBe(true);
    expect(events[0]).toMatchObject({ by: 'alice', replay_of: null });
    const fin = events[2] as Extract<LifecycleEvent, { type: 'run.finished' }>;
    expect(fin).toMatchObject({ status: (await svc.getRun(id)).status, interrupted: null, outbox: null, error: null });
    expect(fin.location).toContain(id);
    expect(svc.lifecycle.size).toBe(0); // the iterator released its subscription

    const pending = until(svc, (e) => e.type === 'run.pending_approval');
    const { id: p } = await svc.startRun({ task: 'Needs a human.', offline: true, require_approval: true }, ctx);
    expect((await pending).map((e) => e.type)).toEqual(['run.accepted', 'run.started', 'run.finished', 'run.pending_approval']);
    const decided = until(svc, (e) => e.type === 'run.decided');
    await svc.rejectRun(p, { reason: 'not today' }, { identity: { user: 'bob', source: 'proxy' } });
    expect(await decided).toEqual([expect.objectContaining({ type: 'run.decided', run_id: p, decision: 'rejected', by: 'bob', reason: 'not today' })]);

    const replayed = until(svc, (e) => e.type === 'run.accepted');
    const { id: r } = await svc.replayRun(id, ctx);
    expect(await replayed).toEqual([expect.objectContaining({ type: 'run.accepted', run_id: r, replay_of: id })]);
    await svc.drain(10_000);
  });

  it('a listener sees the run as finished; a throwing listener stops nothing', async () => {
    const svc = service();
    const statuses: string[] = [];
    const stopBad = svc.lifecycle.subscribe(() => {
      throw new Error('listener bug');
    });
    const done = new Promise<void>((resolve) => {
      const stop = svc.lifecycle.subscribe((e) => {
        if (e.type !== 'run.finished') return;
        stop();
        void svc.getRun(e.run_id).then((a) => statuses.push(a.status)).finally(resolve);
      });
    });
    await svc.startRun({ task: 'Say hi.', offline: true }, ctx);
    await done;
    stopBad();
    expect(statuses).toHaveLength(1);
    expect(svc.lifecycle.size).toBe(0);
  });

  it('a cancelled run finishes interrupted, naming who cancelled it', async () => {
    fake.setModel('lifecycle-hang', { faults: [{ kind: 'hang' }] });
    const svc = service({ env: fakeEnv(fake, ['openai']) });
    const started = until(svc, (e) => e.type === 'run.started');
    const hang = { provider: 'openai', model: 'lifecycle-hang' } as const;
    const slow = await svc.startRun({ task: 'A long one.', debaters: [hang], judge: hang, timeout_s: 60 }, ctx);
    await started;
    const stream = until(svc, (e) => e.type === 'run.finished');
    await svc.cancelRun(slow.id, ctx);
    const fin = (await stream).at(-1) as Extract<LifecycleEvent, { type: 'run.finished' }>;
    expect(fin.run_id).toBe(slow.id);
    expect(fin.interrupted).toBe('cancelled by alice');

  });

  it('aborting the signal ends the iteration and releases the subscription', async () => {
    const svc = service();
    const ac = new AbortController();
    const got = until(svc, () => false, ac.signal);
    await svc.startRun({ task: 'Short.', offline: true }, ctx);
    await new Promise((r) => setTimeout(r, 20));
    expect(svc.lifecycle.size).toBe(1);
    ac.abort();
    expect((await got).length).toBeGreaterThanOrEqual(1);
    expect(svc.lifecycle.size).toBe(0);
    await svc.drain(10_000);
  });
});

describe('iterate / EventHub (the streaming helper)', () => {
  it('queues in order for a busy consumer, stops at `until`, and releases exactly once', async () => {
    const hub = new EventHub<number>();
    let released = 0;
    const it = iterate<number>((push) => {
      const stop = hub.subscribe(push);
      return () => {
        released++;
        stop();
      };
    }, { until: (n) => n === 3, filter: (n) => n !== 2 });
    const first = it.next(); // starts the subscription
    await new Promise((r) => setTimeout(r, 0));
    for (const k of [0, 1, 2, 3, 4]) hub.publish(k);
    const out = [(await first).value];
    for await (const v of it) out.push(v);
    expect(out).toEqual([0, 1, 3]);
    expect(released).toBe(1);
    expect(hub.size).toBe(0);
  });

  it('a consumer that falls more than `limit` behind gets an error, not silent loss', async () => {
    const hub = new EventHub<number>();
    const it = hub.stream({ limit: 3 });
    const first = it.next();
    await new Promise((r) => setTimeout(r, 0));
    for (let k = 0; k < 10; k++) hub.publish(k);
    expect((await first).value).toBe(0);
    await expect(it.next()).rejects.toMatchObject({ code: 'unavailable' });
    expect(hub.size).toBe(0);
  });

  it('a source that fails to start fails the iteration; break releases it', async () => {
    const bad = iterate<number>(() => {
      throw new Error('no such run');
    });
    await expect(bad.next()).rejects.toThrow('no such run');
    const hub = new EventHub<number>();
    const s = hub.stream();
    const p = (async () => {
      for await (const v of s) if (v === 1) break;
    })();
    await new Promise((r) => setTimeout(r, 0));
    hub.publish(0);
    hub.publish(1);
    await p;
    expect(hub.size).toBe(0);
  });
});
