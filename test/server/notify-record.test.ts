// The delivery record (artifact.notifications) is written with a compare-and-swap (RunStore.modify):
// an approval landing at the same moment — here from another replica over the same store — is never
// overwritten, and the record is never lost. On Ceph RGW (real If-Match) and on local disk. The
// notifier is the real one (Slack webhook to the local receiver), held after delivery so its record
// and the decision are written in the same tick.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunArtifact, type CallContext } from '../../shared/api/index.js';
import { makeArtifact } from '../fixtures/sample-artifact.js';
import { createRunStore, silentLogger } from '../../shared/artifacts/index.js';
import { createNotifier, notifyConfigFromEnv, type Notifier } from '../../shared/notify/index.js';
import { buildService } from '../../shared/service/build.js';
import { createDjpService } from '../../shared/service/index.js';
import { sharedRgw, type SharedRgw } from '../fakes/rgw-shared.js';
import { startNotifyReceivers, type NotifyReceivers } from '../fakes/notify-receivers.js';

let rgw: SharedRgw;
let rx: NotifyReceivers;
beforeAll(async () => {
  [rgw, rx] = await Promise.all([sharedRgw(), startNotifyReceivers()]);
}, 180_000);
afterAll(() => rx?.close());

const as = (user: string): CallContext => ({ identity: { user, source: 'proxy' } });

/** The real notifier, holding each result until `release()` — so the record write starts on cue. */
function heldNotifier(): { notifier: Notifier; delivered: (n: number) => Promise<void>; release: () => void } {
  const real = createNotifier(notifyConfigFromEnv({ DJP_NOTIFY_SLACK_URL: `${rx.hookBase}/slack/record-race`, DJP_PUBLIC_URL: 'https://djp.example.com' }), { baseDelayMs: 10 });
  let open: () => void = () => undefined;
  let gate = new Promise<void>((r) => (open = r));
  let count = 0;
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const notifier: Notifier = {
    ...real,
    async notify(a, e) {
      const results = await real.notify(a, e);
      count++;
      for (const w of waiters.splice(0)) if (count >= w.n) w.resolve();
      else waiters.push(w);
      await gate;
      return results;
    },
  };
  return {
    notifier,
    delivered: (n) => (count >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
    release() {
      open();
      gate = new Promise<void>((r) => (open = r));
    },
  };
}

for (const kind of ['rgw', 'local'] as const) {
  describe(`notification record vs a racing decision (${kind})`, () => {
    it('10 runs: the record and an approval from another replica written at once — both survive every time', async () => {
      const where = kind === 'rgw' ? `s3://${rgw.bucket}/notify-record-${process.pid}-${Date.now()}` : mkdtempSync(path.join(tmpdir(), 'djp-notify-record-'));
      const env = kind === 'rgw' ? rgw.env : {};
      const held = heldNotifier();
      const a = buildService({ env, runsDir: where, outboxDir: mkdtempSync(path.join(tmpdir(), 'djp-nr-outbox-a-')), storeLogger: silentLogger, surface: 'test', notify: held.notifier });
      const b = createDjpService({ store: createRunStore(where, { env, logger: silentLogger, outboxDir: mkdtempSync(path.join(tmpdir(), 'djp-nr-outbox-b-')) }), env, surface: 'test' });
      for (let i = 1; i <= 10; i++) {
        const { id } = await a.service.startRun({ task: `record race ${i}`, offline: true, require_approval: true }, as('runner@example.com'));
        await held.delivered(i); // delivered; its record waits for the release
        held.release();
        const [approved, settled] = await Promise.all([b.approveRun(id, { reason: `ok ${i}` }, as('bob@example.com')), a.notifications!.settle(10_000)]);
        expect(settled).toBe(true);
        expect(approved.status).toBe('published');
        const stored = await b.getRun(id);
        expect(stored.approval).toMatchObject({ state: 'approved', decided_by: 'bob@example.com', reason: `ok ${i}` });
        expect(stored.status).toBe('published');
        expect(stored.notifications).toEqual([expect.objectContaining({ channel: 'slack', event: 'pending_approval', status: 'sent', attempts: 1 })]);
        expect((await a.service.getRun(id)).approval.state).toBe('approved');
      }
      await a.service.drain(5_000);
    }, 120_000);
  });
}

describe('artifact.notifications in the schema', () => {
  it('older artifacts (no notifications) still parse; records parse; a bad record is refused naming its path', () => {
    const old = makeArtifact({ id: '01JD0000000000000000000009' }) as Record<string, unknown>;
    delete old['notifications'];
    expect(RunArtifact.safeParse(old).success).toBe(true);
    const rec = { channel: 'teams', event: 'pending_approval', status: 'failed', attempts: 4, at: '2026-12-02T01:00:00.000Z', error: 'Teams workflow webhook answered HTTP 500' };
    expect(RunArtifact.parse({ ...old, notifications: [rec, { channel: 'slack', event: 'pending_approval', status: 'sent', attempts: 1, at: '2026-12-02T01:00:00.000Z' }] }).notifications).toHaveLength(2);
    const bad = RunArtifact.safeParse({ ...old, notifications: [{ ...rec, channel: 'pager' }] });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path).toEqual(['notifications', 0, 'channel']);
    expect(RunArtifact.safeParse({ ...old, notifications: [{ ...rec, attempts: 0 }] }).success).toBe(false);
  });
});
