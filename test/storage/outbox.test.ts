// Fallback outbox and fault tests: injected cloud write failures → outbox → sync → nothing lost.
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunArtifact } from '../../shared/api/index.js';
import { BackendRunStore } from '../../shared/artifacts/store.js';
import { Outbox } from '../../shared/artifacts/outbox.js';
import { silentLogger } from '../../shared/artifacts/logger.js';
import { startOutboxSync } from '../../shared/artifacts/outbox-sync.js';
import { INDEX_PREFIX } from '../../shared/artifacts/layout.js';
import { createRunStore } from '../../shared/artifacts/index.js';
import type { StorageBackend } from '../../shared/storage/backend.js';
import { S3Backend } from '../../shared/storage/s3.js';
import { GcsBackend } from '../../shared/storage/gcs.js';
import { LocalBackend } from '../../shared/storage/local.js';
import { startS3rver, type S3rverHandle } from '../fakes/s3.js';
import { startFakeGcs, type FakeGcs } from '../fakes/gcs-server.js';
import { makeArtifact } from '../fakes/artifact.js';
import { FaultyBackend } from './faulty-backend.js';

let s3: S3rverHandle;
let gcs: FakeGcs;
let n = 0;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  [s3, gcs] = await Promise.all([startS3rver(), startFakeGcs({ buckets: ['djp-test'] })]);
});
afterAll(async () => {
  await Promise.all(closers.map((c) => c()));
  await Promise.all([s3?.stop(), gcs?.stop()]);
});

const remotes: Record<string, () => StorageBackend> = {
  s3: () => {
    const b = new S3Backend({ bucket: s3.bucket, prefix: `fault${++n}`, env: s3.env });
    closers.push(() => b.close());
    return b;
  },
  gcs: () => new GcsBackend({ bucket: 'djp-test', prefix: `fault${++n}`, env: { STORAGE_EMULATOR_HOST: gcs.endpoint }, maxRetries: 0 }),
};

function storeOver(backend: StorageBackend, outboxDir = mkdtempSync(path.join(tmpdir(), 'djp-outbox-'))) {
  const outbox = new Outbox(outboxDir, backend.location, silentLogger);
  return { store: new BackendRunStore(backend, { outbox, logger: silentLogger }), outbox, outboxDir };
}

async function countKeys(b: StorageBackend, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | null = null;
  do {
    const page = await b.list({ prefix, limit: 1000, ...(token ? { pageToken: token } : {}) });
    keys.push(...page.keys);
    token = page.nextPageToken;
  } while (token);
  return keys;
}

for (const [name, make] of Object.entries(remotes)) {
  describe(`fault injection over ${name}`, () => {
    it('100 runs with 30 % injected write failures: after sync, 100/100 remote and 0 in the outbox', async () => {
      const remote = make();
      const faulty = new FaultyBackend(remote, 0.3, 42);
      const { store, outboxDir } = storeOver(faulty);
      const runs = Array.from({ length: 100 }, (_, i) => makeArtifact({ at: Date.parse('2026-05-01T00:00:00Z') + i * 1000, task: `fault run ${i}` }));
      let outboxed = 0;
      for (const r of runs) {
        const res = await store.save(r);
        if (res.outbox) {
          outboxed++;
          expect(res.location).toBe(res.outbox.path);
          expect(res.outbox.reason).toContain('injected failure');
          expect(existsSync(res.outbox.path)).toBe(true);
          expect((await store.load(r.id)).id).toBe(r.id); // readable while pending
        }
      }
      expect(faulty.failures).toBeGreaterThan(20);
      expect(outboxed).toBeGreaterThan(10);
      expect(await store.outboxCount()).toBe(outboxed);

      // Sync while failures keep happening: entries leave the outbox only once confirmed.
      let rounds = 0;
      let remaining = outboxed;
      while (remaining > 0 && rounds < 30) {
        const r = await store.sync();
        expect(r.remaining).toBe(await store.outboxCount());
        remaining = r.remaining;
        rounds++;
      }
      expect(remaining).toBe(0);
      expect(readdirSync(outboxDir).filter((f) => f.endsWith('.json'))).toEqual([]);

      const artifacts = (await countKeys(remote, '')).filter((k) => /^[0-9A-Z]{26}\.json$/.test(k));
      expect(artifacts.sort()).toEqual(runs.map((r) => `${r.id}.json`).sort());
      expect(await countKeys(remote, INDEX_PREFIX)).toHaveLength(100);
      const clean = new BackendRunStore(remote);
      for (const r of runs) expect(await clean.load(r.id)).toEqual(r);
      const listed: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await clean.list({ limit: 100, ...(cursor ? { cursor } : {}) });
        listed.push(...page.runs.map((s) => s.id));
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      expect(listed).toEqual(runs.map((r) => r.id).reverse());
    });
  });
}

describe('outbox behaviour', () => {
  it('an update that fails goes to the outbox and sync applies it', async () => {
    const remote = remotes.s3!();
    const faulty = new FaultyBackend(remote, 1, 1);
    faulty.enabled = false;
    const { store } = storeOver(faulty);
    const a = makeArtifact({ status: 'pending_approval' });
    await store.save(a);
    faulty.enabled = true;
    const approved: RunArtifact = { ...a, status: 'published', approval: { ...a.approval, state: 'approved', decided_by: 'x@y.z', decided_at: new Date().toISOString() } };
    const res = await store.update(approved);
    expect(res.outbox).not.toBeNull();
    expect((await store.load(a.id)).approval.state).toBe('approved'); // the outbox copy is newer
    faulty.enabled = false;
    expect(await store.sync()).toEqual({ pushed: 1, failed: 0, remaining: 0 });
    expect((await new BackendRunStore(remote).load(a.id)).approval.state).toBe('approved');
    expect((await store.list({ status: 'published' })).runs.map((r) => r.id)).toEqual([a.id]);
    expect((await store.list({ status: 'pending_approval' })).runs).toEqual([]);
  });

  it('an update queued on top of a pending save whose write had half-landed still syncs', async () => {
    const remote = remotes.gcs!();
    const faulty = new FaultyBackend(remote, 1, 3);
    const { store } = storeOver(faulty);
    const a = makeArtifact({ status: 'pending_approval' });
    await remote.create(`${a.id}.json`, `${JSON.stringify(a, null, 2)}\n`); // the save landed, its response was lost
    expect((await store.save(a)).outbox).not.toBeNull(); // faulty: every write fails
    const approved: RunArtifact = { ...a, status: 'published', approval: { ...a.approval, state: 'approved', decided_by: 'x@y.z', decided_at: new Date().toISOString() } };
    expect((await store.update(approved)).outbox).not.toBeNull();
    faulty.enabled = false;
    expect(await store.sync()).toEqual({ pushed: 1, failed: 0, remaining: 0 });
    expect((await new BackendRunStore(remote).load(a.id)).approval.state).toBe('approved');
    expect((await store.list({})).runs.map((r) => [r.id, r.status])).toEqual([[a.id, 'published']]);
  });

  it('history lists runs waiting in the outbox, merged in order and filtered, across pages', async () => {
    const remote = remotes.s3!();
    const faulty = new FaultyBackend(remote, 1, 5);
    faulty.enabled = false;
    const { store } = storeOver(faulty);
    const t = Date.parse('2026-06-01T00:00:00Z');
    const runs = Array.from({ length: 9 }, (_, i) => makeArtifact({ at: t + i * 60_000, task: `run ${i}`, status: i % 2 ? 'advisory_only' : 'published' }));
    const queuedIdx = new Set([1, 4, 8]);
    for (const [i, r] of runs.entries()) {
      faulty.enabled = queuedIdx.has(i);
      expect((await store.save(r)).outbox !== null).toBe(queuedIdx.has(i));
    }
    faulty.enabled = true; // the store is still down for new writes
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await store.list({ limit: 4, ...(cursor ? { cursor } : {}) });
      pages.push(page.runs.map((r) => r.id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor && pages.length < 10);
    expect(pages.flat()).toEqual(runs.map((r) => r.id).reverse());
    expect(pages[0]).toHaveLength(4);
    expect((await store.list({ status: 'advisory_only' })).runs.map((r) => r.id)).toEqual(
      runs.filter((_, i) => i % 2).map((r) => r.id).reverse(),
    );
    expect((await store.list({ q: 'RUN 4' })).runs.map((r) => r.id)).toEqual([runs[4]!.id]);
    // A pending approval replaces the remote copy in history.
    const approved: RunArtifact = { ...runs[2]!, status: 'advisory_only' };
    expect((await store.update(approved)).outbox).not.toBeNull();
    expect((await store.list({ status: 'published' })).runs.map((r) => r.id)).not.toContain(runs[2]!.id);
    expect((await store.list({ status: 'advisory_only' })).runs.map((r) => r.id)).toContain(runs[2]!.id);
  });

  it('a save whose remote write landed but looked failed syncs as done (identical content)', async () => {
    const remote = remotes.gcs!();
    const { store, outbox } = storeOver(remote);
    const a = makeArtifact();
    await remote.create(`${a.id}.json`, `${JSON.stringify(a, null, 2)}\n`); // the "lost response" write
    await outbox.put('save', a, 'simulated timeout');
    expect(await store.sync()).toEqual({ pushed: 1, failed: 0, remaining: 0 });
    expect((await store.list({})).runs.map((r) => r.id)).toEqual([a.id]);
  });

  it('a different remote artifact with the same id is a conflict: the entry stays', async () => {
    const remote = remotes.gcs!();
    const { store, outbox } = storeOver(remote);
    const a = makeArtifact();
    await remote.create(`${a.id}.json`, JSON.stringify({ ...a, task: 'someone else' }));
    await outbox.put('save', a, 'simulated');
    expect(await store.sync()).toEqual({ pushed: 0, failed: 1, remaining: 1 });
  });

  it('leaves corrupt entries and entries for other stores alone', async () => {
    const remote = remotes.s3!();
    const { store, outboxDir } = storeOver(remote);
    const other = new Outbox(outboxDir, 's3://another-bucket/runs', silentLogger);
    await other.put('save', makeArtifact(), 'other target');
    writeFileSync(path.join(outboxDir, `${makeArtifact().id}.json`), '{ torn');
    expect(await store.outboxCount()).toBe(0);
    expect(await store.sync()).toEqual({ pushed: 0, failed: 0, remaining: 0 });
    expect(readdirSync(outboxDir).filter((f) => f.endsWith('.json'))).toHaveLength(2);
  });

  it('an unreachable cloud store sends every save to the outbox; startOutboxSync pushes them later', async () => {
    const outboxDir = mkdtempSync(path.join(tmpdir(), 'djp-outbox-'));
    const down = createRunStore(`s3://${s3.bucket}/later`, {
      env: { ...s3.env, AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1' },
      outboxDir,
      logger: silentLogger,
    });
    const a = makeArtifact();
    const res = await down.save(a);
    expect(res.outbox?.path).toBe(path.join(outboxDir, `${a.id}.json`));
    expect(res.outbox?.reason).toMatch(/save run .* to s3:\/\/.*later failed/);
    const up = createRunStore(`s3://${s3.bucket}/later`, { env: s3.env, outboxDir, logger: silentLogger });
    const handle = startOutboxSync(up, 60_000, silentLogger);
    expect(await handle.runOnce()).toEqual({ pushed: 1, failed: 0, remaining: 0 });
    await handle.stop();
    expect((await up.load(a.id)).id).toBe(a.id);
    expect(await up.outboxCount()).toBe(0);
  });

  it('a local RUNS_DIR never uses the outbox: a failed write is an error', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'djp-local-')), 'not-a-dir');
    writeFileSync(file, 'x');
    const store = new BackendRunStore(new LocalBackend(path.join(file, 'runs')), { logger: silentLogger });
    await expect(store.save(makeArtifact())).rejects.toMatchObject({ name: 'DjpError', code: 'unavailable' });
  });
});
