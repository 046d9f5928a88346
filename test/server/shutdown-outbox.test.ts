// `djp serve` over a GCS store (the real client against test/fakes/gcs-server.ts): a run whose cloud
// write fails lands in the local outbox; on shutdown the server pushes the outbox once more, so the
// artifact reaches the bucket before the container's disk goes away.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe } from '../../server/commands/serve.js';
import { startFakeGcs, type FakeGcs } from '../fakes/gcs-server.js';
import { events, readSse } from './http-helpers.js';

let gcs: FakeGcs;
beforeAll(async () => {
  gcs = await startFakeGcs({ buckets: ['djp-runs'] });
});
afterAll(async () => {
  await gcs.stop();
});

describe('shutdown with a pending outbox', () => {
  it('pushes outbox entries to the bucket before exiting', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'djp-shutdown-outbox-'));
    const running = await startServe(
      { port: '0', host: '127.0.0.1' },
      {
        RUNS_DIR: 'gs://djp-runs/runs',
        STORAGE_EMULATOR_HOST: gcs.endpoint,
        GOOGLE_CLOUD_PROJECT: 'test',
        DJP_OUTBOX_DIR: join(dir, 'outbox'),
        DJP_OUTBOX_SYNC_S: '3600', // no periodic push during the test: only the one at shutdown
        DJP_STATIC_DIR: join(dir, 'no-ui'),
        DJP_LOG_LEVEL: 'silent',
      },
    );
    let id = '';
    gcs.failNext(1000, 503); // the bucket is down while the run saves
    try {
      const res = await fetch(`${running.url}/api/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ task: 'outbox me' }) });
      expect(res.status).toBe(202);
      id = ((await res.json()) as { id: string }).id;
      const evs = events(await readSse(await fetch(`${running.url}/api/runs/${id}/events`)));
      const done = evs.at(-1);
      expect(done?.type).toBe('run.done');
      expect(done?.type === 'run.done' && done.outbox).toBeTruthy();
      expect([...gcs.objects('djp-runs').keys()].some((k) => k.includes(id))).toBe(false);
      gcs.failNext(0); // the bucket is back
    } finally {
      expect(await running.stop()).toBe(0);
    }
    expect([...gcs.objects('djp-runs').keys()].some((k) => k.includes(id))).toBe(true);
  }, 60_000);
});
