// Vitest globalSetup: a folder through which test files share ONE Ceph RGW per run (test/fakes/rgw-shared.ts).
// Nothing starts here: the cluster starts when the first file asks for it, so runs that need no RGW pay
// nothing. Teardown stops it (by its daemons' pid files) and removes the folders.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { stopSharedRgw } from '../fakes/rgw-shared.js';

export default function setup(project: TestProject): () => Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'djp-rgw-share-'));
  project.provide('rgwShareDir', dir);
  return async () => {
    await stopSharedRgw(dir);
    rmSync(dir, { recursive: true, force: true });
  };
}
