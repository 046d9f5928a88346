// sharedRgw(): the one Ceph RGW of this test run, started by the first test file that asks for it.
//
// Starting a cluster takes ~20 s, so a run of many files must share one. The Vitest globalSetup
// (test/setup/rgw-global.ts) provides an empty folder; the first caller to create `<folder>/lock` starts
// the cluster (its daemons fork into the background, so they outlive that test worker) and writes
// `<folder>/rgw.json`; every other caller waits for that file. The globalSetup's teardown stops the
// daemons by their pid files. A file run without the globalSetup gets a cluster of its own, stopped
// when its worker's tests end. Each caller should use its own key prefix (or bucket) in the bucket.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, inject } from 'vitest';
import { startRgw, stopRgwDir } from './rgw.js';

export interface SharedRgw {
  endpoint: string;
  bucket: string;
  /** The cluster's folder (its pid files are under run/). */
  directory: string;
  /** AWS SDK / `djp` environment for this gateway. */
  env: Record<string, string>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    rgwShareDir: string;
  }
}

let mine: Promise<SharedRgw> | null = null;

export function sharedRgw(): Promise<SharedRgw> {
  mine ??= open();
  return mine;
}

async function open(): Promise<SharedRgw> {
  let dir: string | undefined;
  try {
    dir = inject('rgwShareDir');
  } catch {
    dir = undefined;
  }
  if (!dir) {
    const h = await startRgw();
    afterAll(() => h.stop());
    return { endpoint: h.endpoint, bucket: h.bucket, directory: h.directory, env: h.env };
  }
  const info = path.join(dir, 'rgw.json');
  const failed = path.join(dir, 'rgw-error.txt');
  let starter = false;
  try {
    mkdirSync(path.join(dir, 'lock'));
    starter = true;
  } catch {
    starter = false;
  }
  if (starter) {
    try {
      const h = await startRgw();
      const shared: SharedRgw = { endpoint: h.endpoint, bucket: h.bucket, directory: h.directory, env: h.env };
      writeFileSync(`${info}.tmp`, JSON.stringify(shared));
      // rename: waiters never read a half-written file
      renameSync(`${info}.tmp`, info);
      return shared;
    } catch (e) {
      writeFileSync(failed, e instanceof Error ? (e.stack ?? e.message) : String(e));
      throw e;
    }
  }
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (existsSync(info)) return JSON.parse(readFileSync(info, 'utf8')) as SharedRgw;
    if (existsSync(failed)) throw new Error(`the shared RGW failed to start:\n${readFileSync(failed, 'utf8')}`);
    if (Date.now() > deadline) throw new Error('the shared RGW did not start within 180 s');
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** For the globalSetup teardown: stops the shared cluster if a test started one. */
export async function stopSharedRgw(dir: string): Promise<void> {
  const info = path.join(dir, 'rgw.json');
  if (existsSync(info)) await stopRgwDir((JSON.parse(readFileSync(info, 'utf8')) as SharedRgw).directory);
}
