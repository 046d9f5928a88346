// The storage contract suites on Ceph's RADOS Gateway: a production S3 implementation that, unlike
// s3rver, enforces If-None-Match / If-Match and request signatures. The cluster is shared by the whole
// test run (test/fakes/rgw-shared.ts, started on first use by whichever file needs it first).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Backend } from '../../shared/storage/s3.js';
import { StorageError } from '../../shared/storage/backend.js';
import { BackendRunStore } from '../../shared/artifacts/store.js';
import { sharedRgw, type SharedRgw } from '../fakes/rgw-shared.js';
import { backendContract } from './backend-contract.js';
import { runStoreContract } from './run-store-contract.js';

let rgw: SharedRgw;
let n = 0;
const backends: S3Backend[] = [];
const run = `rgw-${process.pid}-${Date.now()}`;

beforeAll(async () => {
  rgw = await sharedRgw();
}, 180_000);
afterAll(async () => {
  await Promise.all(backends.map((b) => b.close()));
});

function fresh(env: Record<string, string> = rgw.env): S3Backend {
  const b = new S3Backend({ bucket: rgw.bucket, prefix: `${run}/t${++n}/runs`, env });
  backends.push(b);
  return b;
}

backendContract('s3 (Ceph RGW)', async () => fresh());
runStoreContract('s3 (Ceph RGW)', async (opts) => {
  const backend = fresh();
  return { backend, store: new BackendRunStore(backend, opts) };
});

describe('Ceph RGW specifics', () => {
  it('20 racing create-only writes of one key: exactly one wins each time (s3rver lets both through)', async () => {
    const b = fresh();
    let winners = 0;
    for (let i = 0; i < 20; i++) {
      const results = await Promise.allSettled([b.create(`race/${i}.json`, 'a'), b.create(`race/${i}.json`, 'b')]);
      const ok = results.filter((r) => r.status === 'fulfilled').length;
      expect(ok).toBe(1);
      winners += ok;
    }
    expect(winners).toBe(20);
  });

  it('a wrong secret is refused as access_denied, naming no secret', async () => {
    const secret = 'definitely-the-wrong-secret';
    const b = fresh({ ...rgw.env, AWS_SECRET_ACCESS_KEY: secret });
    const err = await b.write('x.json', '1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).kind).toBe('access_denied');
    expect((err as StorageError).message).not.toContain(secret);
    expect((err as StorageError).message).not.toContain(rgw.env.AWS_SECRET_ACCESS_KEY);
  });

  it('compare-and-swap works against RGW, whose If-Match wants the ETag without quotes', async () => {
    const b = fresh();
    await b.create('q.json', 'one');
    const { version } = await b.readVersioned('q.json');
    expect(version).toMatch(/^".+"$/); // what GET returns (quoted)
    await b.writeIfMatch('q.json', 'two', version);
    expect(Buffer.from(await b.read('q.json')).toString()).toBe('two');
    await expect(b.writeIfMatch('q.json', 'three', version)).rejects.toMatchObject({ kind: 'conflict' });
  });
});
