import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalBackend } from '../../shared/storage/local.js';
import { BackendRunStore } from '../../shared/artifacts/store.js';
import { createRunStore } from '../../shared/artifacts/index.js';
import { makeArtifact } from '../fakes/artifact.js';
import { backendContract } from './backend-contract.js';
import { runStoreContract } from './run-store-contract.js';

const fresh = (): string => mkdtempSync(path.join(tmpdir(), 'djp-local-'));

backendContract('local', async () => new LocalBackend(fresh()));
runStoreContract('local', async (opts) => {
  const backend = new LocalBackend(fresh());
  return { backend, store: new BackendRunStore(backend, opts) };
});

describe('local backend specifics', () => {
  it('keeps keys inside the root and leaves no temp files behind', async () => {
    const root = fresh();
    const b = new LocalBackend(root);
    await b.write('x/y.json', '1');
    await b.create('x/z.json', '2');
    await b.create('x/z.json', '3').catch(() => undefined);
    expect(readdirSync(path.join(root, 'x')).sort()).toEqual(['y.json', 'z.json']);
    expect(b.uri('x/y.json')).toBe(path.join(root, 'x', 'y.json'));
  });

  it('createRunStore with a local RUNS_DIR writes <id>.json there and has no outbox', async () => {
    const root = fresh();
    const store = createRunStore(root, { env: {} });
    expect(store.kind).toBe('local');
    expect(store.outboxDir).toBeNull();
    const a = makeArtifact();
    const res = await store.save(a);
    expect(res).toEqual({ location: path.join(root, `${a.id}.json`), outbox: null });
    expect(JSON.parse(readdirSync(root).includes(`${a.id}.json`) ? 'true' : 'false')).toBe(true);
  });
});
