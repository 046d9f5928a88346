// Where the desktop app keeps runs and who it runs them as (main/desktop-service.ts).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDesktopService, desktopRunsDir, localIdentity } from './desktop-service.js';

let userData: string;
beforeEach(async () => {
  userData = await mkdtemp(path.join(os.tmpdir(), 'djp-desktop-svc-'));
});
afterEach(async () => {
  await rm(userData, { recursive: true, force: true });
});

describe('desktop service', () => {
  it('keeps runs in RUNS_DIR when set, else <userData>/runs', () => {
    expect(desktopRunsDir({}, '/data/app')).toBe(path.join('/data/app', 'runs'));
    expect(desktopRunsDir({ RUNS_DIR: '  ' }, '/data/app')).toBe(path.join('/data/app', 'runs'));
    expect(desktopRunsDir({ RUNS_DIR: 's3://bucket/runs' }, '/data/app')).toBe('s3://bucket/runs');
  });

  it('runs as the OS user with identity source local', () => {
    expect(localIdentity()).toEqual({ user: os.userInfo().username, source: 'local' });
  });

  it('a local store has no outbox sync; a cloud RUNS_DIR gets one', async () => {
    const local = createDesktopService({ userDataDir: userData, env: {} });
    expect(local.outboxSync).toBeNull();
    expect((await local.service.info()).surface).toBe('desktop');

    const cloud = createDesktopService({
      userDataDir: userData,
      env: { RUNS_DIR: 's3://bucket/prefix', AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9', AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' },
    });
    expect(cloud.runsDir).toBe('s3://bucket/prefix');
    expect(cloud.outboxSync).not.toBeNull();
    const info = await cloud.service.info();
    expect(info.storage.kind).toBe('s3');
    await cloud.outboxSync!.stop();
  });
});
