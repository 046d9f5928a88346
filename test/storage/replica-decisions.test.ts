// Two service instances (two replicas) over one store: approve on A and reject on B at the same moment
// → exactly one wins, the other gets a conflict naming who decided; what B decided is what A serves,
// even though A ran the run and still holds it in memory. On Ceph RGW (real If-Match) and local disk.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isDjpError, type CallContext, type RunEvent } from '../../shared/api/index.js';
import { createRunStore, silentLogger } from '../../shared/artifacts/index.js';
import { createDjpService, type DjpService } from '../../shared/service/index.js';
import { sharedRgw, type SharedRgw } from '../fakes/rgw-shared.js';

let rgw: SharedRgw;
beforeAll(async () => {
  rgw = await sharedRgw();
}, 180_000);

const as = (user: string): CallContext => ({ identity: { user, source: 'proxy' } });

async function finished(svc: DjpService, id: string): Promise<void> {
  await new Promise<void>((resolve) => {
    void svc.subscribe(id, (e: RunEvent) => {
      if (e.type === 'run.done' || e.type === 'run.error') resolve();
    });
  });
}

function replicas(kind: 'rgw' | 'local'): [DjpService, DjpService] {
  const outbox = mkdtempSync(path.join(tmpdir(), 'djp-replica-outbox-'));
  const where = kind === 'rgw' ? `s3://${rgw.bucket}/replica-decisions-${process.pid}-${Date.now()}` : mkdtempSync(path.join(tmpdir(), 'djp-replica-local-'));
  const env = kind === 'rgw' ? rgw.env : {};
  const make = (n: string) =>
    createDjpService({ store: createRunStore(where, { env, logger: silentLogger, outboxDir: path.join(outbox, n) }), env, surface: 'test' });
  return [make('a'), make('b')];
}


for (const kind of ['rgw', 'local'] as const) {
  describe(`decisions across two replicas (${kind})`, () => {
    it('10 approve-vs-reject races: exactly one wins each, the loser is told who decided, both replicas serve the winner', async () => {
      const [a, b] = replicas(kind);
      for (let i = 0; i < 10; i++) {
        const { id } = await a.startRun({ task: `race ${i}`, require_approval: true }, as('runner@example.com'));
        await finished(a, id);
        expect((await b.getRun(id)).status).toBe('pending_approval');
        const results = await Promise.allSettled([
          a.approveRun(id, { reason: 'ok' }, as('bob@example.com')),
          b.rejectRun(id, { reason: 'no' }, as('eve@example.com')),
        ]);
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        const winner = (won[0] as PromiseFulfilledResult<{ approval: { decided_by: string | null } }>).value.approval.decided_by;
        expect(isDjpError(lost[0]!.reason) && lost[0]!.reason.code).toBe('conflict');
        expect((lost[0]!.reason as Error).message).toContain(`by ${winner}`);
        expect((await a.getRun(id)).approval.decided_by).toBe(winner);
        expect((await b.getRun(id)).approval.decided_by).toBe(winner);
      }
    }, 120_000);

    it('a decision made on B is what A serves, and A refuses a second, contrary decision', async () => {
      const [a, b] = replicas(kind);
      const { id } = await a.startRun({ task: 'decided elsewhere', require_approval: true }, as('runner@example.com'));
      await finished(a, id);
      expect((await a.getRun(id)).approval.state).toBe('pending'); // A has it in memory too
      await b.rejectRun(id, { reason: 'not good enough' }, as('eve@example.com'));
      const seen = await a.getRun(id);
      expect(seen.approval).toMatchObject({ state: 'rejected', decided_by: 'eve@example.com' });
      const err = await a.approveRun(id, {}, as('bob@example.com')).catch((e: unknown) => e);
      expect(isDjpError(err) && err.code).toBe('conflict');
      expect((err as Error).message).toMatch(/already rejected by eve@example\.com at \d{4}-/);
      expect((await b.getRun(id)).approval.state).toBe('rejected');
      const page = await a.listRuns({});
      expect(page.runs.filter((r) => r.id === id).map((r) => r.status)).toEqual(['advisory_only']);
    }, 60_000);
  });
}
