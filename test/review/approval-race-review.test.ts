// Review finding: two decisions on the same pending run at once (two reviewers, a double click)
// both read "pending" and both wrote: both callers were told they decided, and the saved artifact
// kept whichever write landed last. Exactly one decision may win; the other is a conflict.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDjpError, type CallContext, type RunEvent } from '../../shared/api/index.js';
import { createRunStore, silentLogger } from '../../shared/artifacts/index.js';
import { createDjpService, type DjpService } from '../../shared/service/index.js';

const ctx: CallContext = { identity: { user: 'alice', source: 'local' } };
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'djp-approval-race-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function finished(svc: DjpService, id: string): Promise<void> {
  await new Promise<void>((resolve) => {
    void svc.subscribe(id, (e: RunEvent) => {
      if (e.type === 'run.done' || e.type === 'run.error') resolve();
    });
  });
}

describe('concurrent approval decisions', () => {
  it('approve and reject at once: exactly one wins, the other is a conflict, and the saved artifact matches the winner', async () => {
    const store = createRunStore(join(dir, 'runs'), { logger: silentLogger, env: {} });
    const svc = createDjpService({ store, env: {}, surface: 'test' });
    const { id } = await svc.startRun({ task: 'needs approval', require_approval: true }, ctx);
    await finished(svc, id);
    expect((await svc.getRun(id)).status).toBe('pending_approval');
    const results = await Promise.allSettled([
      svc.approveRun(id, { reason: 'ok' }, { identity: { user: 'bob@example.com', source: 'proxy' } }),
      svc.rejectRun(id, { reason: 'no' }, { identity: { user: 'eve@example.com', source: 'proxy' } }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(isDjpError(lost[0]!.reason) && lost[0]!.reason.code).toBe('conflict');
    const winner = (won[0] as PromiseFulfilledResult<{ approval: { decided_by: string | null } }>).value;
    expect((await store.load(id)).approval.decided_by).toBe(winner.approval.decided_by);
  });
});
