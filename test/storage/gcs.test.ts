import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Storage } from '@google-cloud/storage';
import { GcsBackend } from '../../shared/storage/gcs.js';
import { StorageError } from '../../shared/storage/backend.js';
import { BackendRunStore } from '../../shared/artifacts/store.js';
import { startFakeGcs, type FakeGcs } from '../fakes/gcs-server.js';
import { createRunStore } from '../../shared/artifacts/index.js';
import { makeArtifact } from '../fakes/artifact.js';
import { backendContract } from './backend-contract.js';
import { runStoreContract } from './run-store-contract.js';

let gcs: FakeGcs;
let n = 0;
const BUCKET = 'djp-test';

beforeAll(async () => {
  gcs = await startFakeGcs({ buckets: [BUCKET] });
});
afterAll(async () => {
  await gcs?.stop();
});

function fresh(): GcsBackend {
  return new GcsBackend({ bucket: BUCKET, prefix: `t${++n}/runs`, env: { STORAGE_EMULATOR_HOST: gcs.endpoint }, maxRetries: 1 });
}

backendContract('gcs (fake GCS JSON API)', async () => fresh());
runStoreContract('gcs (fake GCS JSON API)', async (opts) => {
  const backend = fresh();
  return { backend, store: new BackendRunStore(backend, opts) };
});

describe('gcs specifics', () => {
  it('create-only writes send ifGenerationMatch=0 and lists page with pageToken/maxResults', async () => {
    const b = fresh();
    gcs.requests.length = 0;
    await b.create('x.json', '{}');
    expect(gcs.requests.some((r) => r.startsWith('POST /upload/storage/v1/b/djp-test/o') && r.includes('ifGenerationMatch=0'))).toBe(true);
    await Promise.all(['a', 'b', 'c'].map((k) => b.write(`l/${k}`, k)));
    gcs.requests.length = 0;
    const p1 = await b.list({ prefix: 'l/', limit: 2 });
    const p2 = await b.list({ prefix: 'l/', limit: 2, pageToken: p1.nextPageToken as string });
    expect([...p1.keys, ...p2.keys]).toEqual(['l/a', 'l/b', 'l/c']);
    expect(p2.nextPageToken).toBeNull();
    expect(gcs.requests.some((r) => r.includes('pageToken='))).toBe(true);
    expect(gcs.requests.every((r) => r.includes('maxResults=2'))).toBe(true);
  });

  it('createRunStore("gs://…") with STORAGE_EMULATOR_HOST saves and reads back through the real client', async () => {
    const store = createRunStore(`gs://${BUCKET}/via-env/runs`, { env: { STORAGE_EMULATOR_HOST: gcs.endpoint }, outboxDir: '/nonexistent-outbox-not-used' });
    expect(store.kind).toBe('gcs');
    const a = makeArtifact();
    expect(await store.save(a)).toEqual({ location: `gs://${BUCKET}/via-env/runs/${a.id}.json`, outbox: null });
    expect(gcs.objects(BUCKET).has(`via-env/runs/${a.id}.json`)).toBe(true);
    expect((await store.list({})).runs.map((r) => r.id)).toEqual([a.id]);
    expect(await store.load(a.id)).toEqual(a);
    await store.ping();
  });

  it('a missing bucket is unavailable, naming the bucket', async () => {
    const b = new GcsBackend({ bucket: 'no-such-bucket', prefix: '', env: { STORAGE_EMULATOR_HOST: gcs.endpoint }, maxRetries: 0 });
    await expect(b.ping()).rejects.toMatchObject({ kind: 'unavailable' });
    const err = await b.write('k', 'v').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).message).toContain('no-such-bucket');
  });

  it('server errors surface as unavailable after the SDK retries', async () => {
    const b = fresh();
    gcs.failNext(50, 503);
    const err = await b.read('k').catch((e: unknown) => e);
    gcs.failNext(0);
    expect((err as StorageError).kind).toBe('unavailable');
  });

  it('the fake server takes uploadType=media uploads with generation preconditions', async () => {
    const url = (q: string) => `${gcs.endpoint}/upload/storage/v1/b/${BUCKET}/o?uploadType=media&name=media%2Fone.txt${q}`;
    const first = await fetch(url('&ifGenerationMatch=0'), { method: 'POST', body: 'one', headers: { 'content-type': 'text/plain' } });
    expect(first.status).toBe(200);
    const meta = (await first.json()) as { generation: string; size: string; name: string };
    expect(meta).toMatchObject({ name: 'media/one.txt', size: '3' });
    const again = await fetch(url('&ifGenerationMatch=0'), { method: 'POST', body: 'two' });
    expect(again.status).toBe(412);
    const stale = await fetch(url('&ifGenerationMatch=1'), { method: 'POST', body: 'two' });
    expect(stale.status).toBe(412);
    const ok = await fetch(url(`&ifGenerationMatch=${meta.generation}`), { method: 'POST', body: 'two' });
    expect(ok.status).toBe(200);
    const b = new GcsBackend({ bucket: BUCKET, prefix: '', env: { STORAGE_EMULATOR_HOST: gcs.endpoint } });
    expect(Buffer.from(await b.read('media/one.txt')).toString()).toBe('two');
  });

  it('the fake server speaks resumable uploads and media downloads to the real client', async () => {
    const storage = new Storage({ apiEndpoint: gcs.endpoint, projectId: 'test' });
    const file = storage.bucket(BUCKET).file('resumable/big.bin');
    const data = Buffer.alloc(300 * 1024, 7);
    await file.save(data, { resumable: true, chunkSize: 256 * 1024, preconditionOpts: { ifGenerationMatch: 0 } });
    const [back] = await file.download();
    expect(back.equals(data)).toBe(true);
    const conflict = (await file.save(data, { resumable: true, preconditionOpts: { ifGenerationMatch: 0 } }).catch((e: unknown) => e)) as {
      code?: number;
      status?: number;
    };
    expect(conflict.code ?? conflict.status).toBe(412);
    const [meta] = await file.getMetadata();
    expect(Number(meta.size)).toBe(data.length);
    await file.delete({ ifGenerationMatch: meta.generation as string });
    expect((await file.exists())[0]).toBe(false);
  });
});
