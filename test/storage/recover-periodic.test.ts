// Periodic recovery of other replicas' stale live records (shared/service/recover.ts): two service
// instances on one store find the accepted runs a dead replica left; a compare-and-swap on each record
// means exactly one of them saves each run as interrupted, whether they race by hand or on their
// timers (startPeriodicRecovery, what `djp serve` runs every few heartbeats). On Ceph RGW (which
// enforces If-Match) and the local folder (lock file).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRunStore, silentLogger, type BackendRunStore, type LiveRecord } from '../../shared/artifacts/index.js';
import { createDjpService, type DjpService } from '../../shared/service/index.js';
import { startPeriodicRecovery, type RecoverResult } from '../../shared/service/recover.js';
import { makeArtifact } from '../fakes/artifact.js';
import { sharedRgw, type SharedRgw } from '../fakes/rgw-shared.js';

let rgw: SharedRgw;
beforeAll(async () => {
  rgw = await sharedRgw();
}, 180_000);

function replicas(kind: 'rgw' | 'local'): Array<{ svc: DjpService; store: BackendRunStore }> {
  const outbox = mkdtempSync(path.join(tmpdir(), 'djp-recover-outbox-'));
  const where = kind === 'rgw' ? `s3://${rgw.bucket}/recover-${process.pid}-${Date.now()}` : mkdtempSync(path.join(tmpdir(), 'djp-recover-local-'));
  const env = kind === 'rgw' ? rgw.env : {};
  return ['a', 'b'].map((n) => {
    const store = createRunStore(where, { env, logger: silentLogger, outboxDir: path.join(outbox, n) });
    return { store, svc: createDjpService({ store, env, surface: 'test', replica: `replica-${n}`, liveHeartbeatMs: 100 }) };
  });
}

/** An accepted run of replica "dead-c", which stopped beating a minute ago. */
async function orphan(store: BackendRunStore, task: string): Promise<LiveRecord> {
  const a = makeArtifact({ task });
  const stale = new Date(Date.now() - 60_000).toISOString();
  const r: LiveRecord = { v: 1, id: a.id, created_at: a.created_at, task, parameters: a.parameters, provenance: a.provenance, replica: 'dead-c', heartbeat_at: stale };
  await store.live.accept(r);
  return r;
}

for (const kind of ['rgw', 'local'] as const) {
  describe(`recovery of a dead replica's runs (${kind})`, () => {
    it('two replicas recovering at once: each orphaned run is saved as interrupted exactly once', async () => {
      const [a, b] = replicas(kind);
      const records = [];
      for (let i = 0; i < 6; i++) records.push(await orphan(a!.store, `orphan ${i}`));
      const [ra, rb] = await Promise.all([a!.svc.recover({ own: false }), b!.svc.recover({ own: false })]);
      for (const r of records) {
        const by = [...ra.interrupted, ...rb.interrupted].filter((id) => id === r.id);
        expect(by, r.id).toHaveLength(1);
        const art = await b!.store.load(r.id);
        expect(art.interrupted).toBeTruthy();
        expect(JSON.stringify(art)).toContain('dead-c');
        expect(await a!.store.live.get(r.id)).toBeNull();
      }
      expect([...ra.failed, ...rb.failed]).toEqual([]);
    }, 120_000);

    it('on their timers (as djp serve runs it): a run orphaned while both run is recovered by one of them', async () => {
      const [a, b] = replicas(kind);
      const reports: RecoverResult[] = [];
      const timers = [a!, b!].map(({ svc }) => startPeriodicRecovery(() => svc.recover({ own: false }), 40, (r) => void (r instanceof Error ? undefined : reports.push(r))));
      try {
        const r = await orphan(b!.store, 'orphaned while the others run');
        const deadline = Date.now() + 20_000;
        while (Date.now() < deadline && !(await a!.store.load(r.id).then(() => true, () => false))) await new Promise((res) => setTimeout(res, 50));
        expect((await a!.store.load(r.id)).interrupted).toBeTruthy();
        // A few more rounds: nobody recovers it again.
        await new Promise((res) => setTimeout(res, 400));
        expect(reports.flatMap((x) => x.interrupted).filter((id) => id === r.id)).toHaveLength(1);
      } finally {
        await Promise.all(timers.map((t) => t.stop()));
      }
    }, 60_000);
  });
}
