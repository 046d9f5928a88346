import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Backend } from '../../shared/storage/s3.js';
import { StorageError } from '../../shared/storage/backend.js';
import { BackendRunStore } from '../../shared/artifacts/store.js';
import { startS3rver, type S3rverHandle } from '../fakes/s3.js';
import { backendContract, markIgnoresConditionals } from './backend-contract.js';
import { runStoreContract } from './run-store-contract.js';

let s3: S3rverHandle;
let n = 0;
const backends: S3Backend[] = [];

beforeAll(async () => {
  s3 = await startS3rver();
});
afterAll(async () => {
  await Promise.all(backends.map((b) => b.close()));
  await s3?.stop();
});

// Each test gets its own prefix in the one bucket: a fresh, empty store.
function fresh(): S3Backend {
  const b = new S3Backend({ bucket: s3.bucket, prefix: `t${++n}/runs`, env: s3.env });
  backends.push(b);
  return b;
}

backendContract('s3 (s3rver)', async () => markIgnoresConditionals(fresh()));
runStoreContract('s3 (s3rver)', async (opts) => {
  const backend = fresh();
  return { backend, store: new BackendRunStore(backend, opts), ignoresConditionals: true };
});

describe('s3 specifics', () => {
  it('addresses the custom endpoint path-style and names locations s3://bucket/prefix', async () => {
    const b = fresh();
    expect(b.endpoint).toBe(s3.endpoint);
    expect(b.location).toMatch(new RegExp(`^s3://${s3.bucket}/t\\d+/runs$`));
    await b.write('k.json', '1');
    expect(b.uri('k.json')).toBe(`${b.location}/k.json`);
  });

  it('a missing bucket is reported as unavailable, naming the bucket', async () => {
    const b = new S3Backend({ bucket: 'no-such-bucket', prefix: '', env: s3.env });
    backends.push(b);
    const err = await b.write('x', 'y').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).kind).toBe('unavailable');
    expect((err as StorageError).message).toContain('no-such-bucket');
    await expect(b.ping()).rejects.toMatchObject({ kind: 'unavailable' });
  });

  it('an unreachable endpoint is unavailable (not not_found)', async () => {
    const b = new S3Backend({ bucket: 'x-bucket', prefix: '', env: { ...s3.env, AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9' } });
    backends.push(b);
    await expect(b.read('a')).rejects.toMatchObject({ kind: 'unavailable' });
  });

  it('honours AWS_ENDPOINT_URL when AWS_ENDPOINT_URL_S3 is unset', async () => {
    const { AWS_ENDPOINT_URL_S3: endpoint, ...rest } = s3.env;
    const b = new S3Backend({ bucket: s3.bucket, prefix: `t${++n}`, env: { ...rest, AWS_ENDPOINT_URL: endpoint as string } });
    backends.push(b);
    await b.write('a', 'b');
    expect(Buffer.from(await b.read('a')).toString()).toBe('b');
  });
});
