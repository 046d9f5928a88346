import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Outbox } from '../../shared/artifacts/outbox.js';
import { silentLogger } from '../../shared/artifacts/logger.js';
import { createRunStore } from '../../shared/artifacts/index.js';
import { runSync } from '../../server/commands/sync.js';
import { startS3rver, type S3rverHandle } from '../fakes/s3.js';
import { makeArtifact } from '../fakes/artifact.js';

let s3: S3rverHandle;
beforeAll(async () => {
  s3 = await startS3rver();
});
afterAll(async () => {
  await s3?.stop();
});

function capture() {
  const io = { stdout: '', stderr: '', out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) };
  return io;
}

describe('djp sync', () => {
  it('pushes the outbox, prints counts and exits 0; exits 1 while the store is unreachable', async () => {
    const outboxDir = mkdtempSync(path.join(tmpdir(), 'djp-sync-'));
    const location = `s3://${s3.bucket}/synced`;
    const outbox = new Outbox(outboxDir, location, silentLogger);
    const runs = [makeArtifact(), makeArtifact()];
    for (const r of runs) await outbox.put('save', r, 'test');

    const down = capture();
    const downEnv = { ...s3.env, AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9', RUNS_DIR: location };
    expect(await runSync({ outbox: outboxDir, quiet: true }, downEnv, down)).toBe(1);
    expect(down.stdout).toContain('pushed 0, failed 2, remaining 2');
    expect(down.stderr).toContain('2 run(s) still in the outbox');

    const up = capture();
    expect(await runSync({ outbox: outboxDir, json: true }, { ...s3.env, RUNS_DIR: location }, up)).toBe(0);
    expect(JSON.parse(up.stdout)).toEqual({ store: location, outbox: outboxDir, pushed: 2, failed: 0, remaining: 0 });
    const store = createRunStore(location, { env: s3.env, outboxDir, logger: silentLogger });
    for (const r of runs) expect((await store.load(r.id)).id).toBe(r.id);
    expect(await store.outboxCount()).toBe(0);
  });

  it('--reindex rebuilds missing history entries', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'djp-runs-'));
    const a = makeArtifact();
    writeFileSync(path.join(dir, `${a.id}.json`), JSON.stringify(a)); // an artifact copied in by hand
    const store = createRunStore(dir, { env: {}, logger: silentLogger });
    expect((await store.list({})).runs).toEqual([]);
    const io = capture();
    expect(await runSync({ runsDir: dir, reindex: true, json: true }, {}, io)).toBe(0);
    expect(JSON.parse(io.stdout).reindex).toEqual({ indexed: 1, skipped: 0 });
    expect((await store.list({})).runs.map((r) => r.id)).toEqual([a.id]);
  });

  it('local RUNS_DIR: nothing to sync, exit 0; bad scheme: exit 2 with the reason', async () => {
    const io = capture();
    expect(await runSync({ runsDir: mkdtempSync(path.join(tmpdir(), 'djp-runs-')) }, {}, io)).toBe(0);
    expect(io.stdout).toContain('no outbox');
    const bad = capture();
    expect(await runSync({ runsDir: 'azure://c/runs' }, {}, bad)).toBe(2);
    expect(bad.stderr).toContain('unsupported storage scheme "azure:"');
  });
});
