// The lifecycle → notification rules of shared/notify/subscribe.ts, with the real notifier and local
// receivers, fed the service's own lifecycle events: which events notify under which
// DJP_NOTIFY_EVENTS, a run that failed without an artifact (its error redacted in the message, the
// result in info() only), and nothing at all for runs that publish or are cancelled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LifecycleEvent, RunArtifact } from '../../shared/api/index.js';
import { createRedactor } from '../../shared/guardrails/redaction.js';
import { createNotifier, createRunNotifications, notifyConfigFromEnv } from '../../shared/notify/index.js';
import { makeArtifact } from '../fixtures/sample-artifact.js';
import { startNotifyReceivers, type NotifyReceivers } from '../fakes/notify-receivers.js';

let rx: NotifyReceivers;
beforeAll(async () => {
  rx = await startNotifyReceivers();
});
afterAll(() => rx?.close());

const at = '2026-12-02T01:00:00.000Z';
const finished = (run_id: string, over: Partial<Extract<LifecycleEvent, { type: 'run.finished' }>> = {}): LifecycleEvent => ({
  type: 'run.finished',
  run_id,
  at,
  status: 'published',
  interrupted: null,
  location: `/runs/${run_id}.json`,
  outbox: null,
  error: null,
  ...over,
});

function setup(path: string, events: string) {
  const redactor = createRedactor({ enabled: true });
  const notifier = createNotifier(notifyConfigFromEnv({ DJP_NOTIFY_SLACK_URL: `${rx.hookBase}${path}`, DJP_PUBLIC_URL: 'https://djp.example.com', DJP_NOTIFY_EVENTS: events }), { redact: (t) => redactor.scrub(t), baseDelayMs: 10 });
  const runs = new Map<string, RunArtifact>();
  const recorded: Array<{ id: string; n: number }> = [];
  const n = createRunNotifications({
    notifier,
    getRun: async (id) => runs.get(id)!,
    modify: async (id, change) => {
      const next = change(runs.get(id)!);
      runs.set(id, next);
      recorded.push({ id, n: next.notifications?.length ?? 0 });
      return next;
    },
  });
  return { n, runs, recorded, sent: () => rx.received.filter((r) => r.path === path) };
}

describe('which lifecycle events notify', () => {
  it('default (pending_approval only): a pending run notifies and is recorded; failed, published, cancelled and errored runs do not', async () => {
    const s = setup('/slack/default', 'pending_approval');
    s.runs.set('01JD00000000000000000000P1', makeArtifact({ id: '01JD00000000000000000000P1', status: 'pending_approval' }));
    s.runs.set('01JD00000000000000000000N1', makeArtifact({ id: '01JD00000000000000000000N1', status: 'none' }));
    s.n.handle(finished('01JD00000000000000000000N1', { status: 'none' }));
    s.n.handle(finished('01JD00000000000000000000E1', { status: 'error', location: null, error: 'boom' }));
    s.n.handle(finished('01JD00000000000000000000P1', { status: 'pending_approval' }));
    s.n.handle({ type: 'run.pending_approval', run_id: '01JD00000000000000000000P1', at, task: 't' });
    s.n.handle({ type: 'batch.finished', at, batch_id: 'b1', name: 'rows.csv', rows: 2, counts: { published: 2 }, spent_usd: 0, complete: true, by: 'x' });
    expect(await s.n.settle(5000)).toBe(true);
    expect(s.sent()).toHaveLength(1);
    expect(s.recorded).toEqual([{ id: '01JD00000000000000000000P1', n: 1 }]);
  });

  it('failed: no usable draft notifies and is recorded; a cancelled run does not; a run that failed without an artifact notifies with its redacted error and is only in info()', async () => {
    const s = setup('/slack/failed', 'failed');
    const none = makeArtifact({ id: '01JD00000000000000000000N2', status: 'none' });
    s.runs.set(none.id, none);
    s.n.handle(finished(none.id, { status: 'none' }));
    s.n.handle(finished('01JD00000000000000000000C2', { status: 'none', interrupted: 'cancelled by alice' }));
    s.n.handle(finished('01JD00000000000000000000E2', { status: 'error', location: null, error: 'provider said: bad key sk-live-abcdefghijklmnopqrstuvwx for ops@example.com' }));
    s.n.handle({ type: 'run.pending_approval', run_id: none.id, at, task: 't' }); // not asked for
    expect(await s.n.settle(5000)).toBe(true);
    const bodies = s.sent().map((r) => JSON.stringify(r.body));
    expect(bodies).toHaveLength(2);
    expect(s.recorded).toEqual([{ id: none.id, n: 1 }]);
    const err = bodies.find((b) => b.includes('01JD00000000000000000000E2'))!;
    expect(err).toContain('A DJP run failed');
    expect(err).toContain('https://djp.example.com/#/runs/01JD00000000000000000000E2');
    expect(err).toContain('provider said: bad key');
    expect(err).not.toContain('sk-live-abcdefghij');
    expect(err).not.toContain('ops@example.com');
    expect(s.n.info().channels[0]!.last).toMatchObject({ channel: 'slack', event: 'failed', status: 'sent' });
  });

  it('a record that cannot be written (run not in the store) is logged, never thrown; settle() bounds the wait', async () => {
    const notifier = createNotifier(notifyConfigFromEnv({ DJP_NOTIFY_SLACK_URL: `${rx.hookBase}/slack/slow`, DJP_PUBLIC_URL: 'https://djp.example.com' }), { baseDelayMs: 10 });
    const warnings: string[] = [];
    const a = makeArtifact({ id: '01JD00000000000000000000S3', status: 'pending_approval' });
    const n = createRunNotifications({
      notifier,
      getRun: async () => a,
      modify: async () => {
        throw Object.assign(new Error('run 01JD00000000000000000000S3 not found'), { code: 'not_found' });
      },
      logger: { info: () => undefined, warn: (_o, msg) => void warnings.push(msg) },
    });
    rx.delay('/slack/slow', 600);
    n.handle({ type: 'run.pending_approval', run_id: a.id, at, task: 't' });
    expect(n.pending()).toBe(1);
    expect(await n.settle(100)).toBe(false); // still under way: the bound holds
    expect(await n.settle(5000)).toBe(true);
    expect(warnings).toEqual(['notification not recorded on the run']);
    expect(n.info().channels[0]!.last).toMatchObject({ status: 'sent', run_id: a.id });
  });
});
