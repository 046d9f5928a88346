// `djp run` with RUNS_DIR=s3://… and an S3 endpoint writes the artifact into the bucket, and
// `djp runs list` / `djp runs show` read it back from there (the real CLI in a subprocess, the offline
// provider, s3rver on 127.0.0.1). The working directory is an empty temp folder: nothing may land
// on local disk.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunArtifact, RunPage } from '../shared/api/index.js';
import { S3Backend } from '../shared/storage/s3.js';
import { startS3rver, type S3rverHandle } from './fakes/s3.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const cli = path.join(root, 'server', 'cli.ts');

let s3: S3rverHandle;
let cwd: string;
let env: Record<string, string>;

beforeAll(async () => {
  s3 = await startS3rver();
  cwd = mkdtempSync(path.join(tmpdir(), 'djp-cli-s3-'));
  env = {
    PATH: process.env.PATH ?? '',
    HOME: cwd,
    ...s3.env,
    RUNS_DIR: `s3://${s3.bucket}/team/runs`,
    DJP_OUTBOX_DIR: path.join(cwd, 'outbox'),
  };
});
afterAll(async () => {
  await s3?.stop();
});

function djp(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(tsx, [cli, ...args], { cwd, env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('djp CLI with RUNS_DIR=s3://…', () => {
  it('run writes the artifact into the bucket; runs list and runs show read it back', async () => {
    const run = await djp(['run', '--task', 'Name three uses of object storage', '--offline', '--json', '--quiet']);
    expect(run.stderr).not.toContain('outbox');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as { id: string; artifact: string };
    expect(out.artifact).toBe(`s3://${s3.bucket}/team/runs/${out.id}.json`);

    // The object really is in the bucket, and it is a valid artifact.
    const bucket = new S3Backend({ bucket: s3.bucket, prefix: 'team/runs', env: s3.env });
    const stored = RunArtifact.parse(JSON.parse(Buffer.from(await bucket.read(`${out.id}.json`)).toString('utf8')));
    expect(stored.id).toBe(out.id);
    expect(stored.task).toBe('Name three uses of object storage');
    expect((await bucket.list({ prefix: '.index/' })).keys).toHaveLength(1);
    await bucket.close();

    const list = await djp(['runs', 'list', '--json']);
    expect(list.code).toBe(0);
    const page = RunPage.parse(JSON.parse(list.stdout));
    expect(page.runs.map((r) => r.id)).toEqual([out.id]);
    expect(page.runs[0]?.task).toBe('Name three uses of object storage');

    const show = await djp(['runs', 'show', out.id, '--json']);
    expect(show.code).toBe(0);
    expect(RunArtifact.parse(JSON.parse(show.stdout))).toEqual(stored);

    // Nothing went to local disk: no ./runs, no outbox.
    expect(existsSync(path.join(cwd, 'runs'))).toBe(false);
    expect(existsSync(path.join(cwd, 'outbox')) ? readdirSync(path.join(cwd, 'outbox')) : []).toEqual([]);
  });

  it('an unsupported RUNS_DIR scheme is a clear error, not a local folder', async () => {
    const bad = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(tsx, [cli, 'runs', 'list'], { cwd, env: { ...env, RUNS_DIR: 'azure://container/runs' }, timeout: 60_000 }, (err, _o, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }),
      );
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unsupported storage scheme "azure:"');
    expect(bad.stderr).not.toContain('unexpected error');
    expect(existsSync(path.join(cwd, 'azure:'))).toBe(false);
  });
});
