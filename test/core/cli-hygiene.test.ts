// The CLI's rough edges, each as a user meets them (the real `djp` as a subprocess): a closed pipe,
// --json errors, provider error text, S3 error text, base URLs, an unreadable corpus, the next-page hint.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult, type RunCliOptions } from '../fakes/cli.js';
import { startFakeLlmServer } from '../fakes/llm-server.js';
import { sharedRgw } from '../fakes/rgw-shared.js';
import { S3Backend } from '../../shared/storage/s3.js';
import { StorageError } from '../../shared/storage/backend.js';
import { attemptText } from '../../server/commands/progress.js';

let dir: string;
const SLOW = 120_000;

function djp(args: string[], extraEnv: Record<string, string> = {}, more: Partial<RunCliOptions> = {}): Promise<CliResult> {
  return runCli(args, { cwd: dir, env: { HOME: dir, RUNS_DIR: join(dir, 'runs'), ...extraEnv }, ...more });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'djp-hygiene-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('CLI hygiene', () => {
  it('`djp runs show ID | head -1`: a reader that goes away ends the command quietly (no EPIPE trace)', async () => {
    const made = await djp(['run', '--task', 'a run to show', '--json', '--quiet']);
    expect(made.code).toBe(0);
    const { id, artifact } = JSON.parse(made.stdout) as { id: string; artifact: string };
    // Far more than a pipe holds (64 KiB), so the writer is still writing when the reader leaves.
    const a = JSON.parse(readFileSync(artifact, 'utf8')) as { task: string };
    a.task = 'word '.repeat(60_000);
    writeFileSync(artifact, JSON.stringify(a));
    const r = await djp(['runs', 'show', id], {}, { closeStdoutEarly: true });
    expect(r.stderr).not.toContain('EPIPE');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  }, SLOW);

  it('--json: errors are one {"error": …} object on stdout too (usage and request errors)', async () => {
    const usage = await djp(['run', '--task', 'x', '--max_tokens', 'lots', '--json']);
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stdout)).toEqual({ error: { code: 'usage', message: expect.stringContaining('--max_tokens must be a number') } });
    const invalid = await djp(['run', '--task', 'x', '--policy', 'nonsense', '--json']);
    expect(invalid.code).toBe(2);
    expect(JSON.parse(invalid.stdout)).toEqual({ error: { code: 'invalid', field: 'policy', message: expect.stringContaining('unknown policy "nonsense"') } });
    const missing = await djp(['runs', 'show', '01JZZZZZZZZZZZZZZZZZZZZZZZ', '--json']);
    expect(missing.code).toBe(1);
    expect((JSON.parse(missing.stdout) as { error: { code: string } }).error.code).toBe('not_found');
    // Without --json, stdout stays empty on error.
    const plain = await djp(['run', '--task', 'x', '--policy', 'nonsense']);
    expect(plain.stdout).toBe('');
  }, SLOW);

  it('provider errors: the message is taken out of the body (Anthropic JSON) and the status is said once', async () => {
    const fake = await startFakeLlmServer();
    try {
      fake.setModel('busy-a', { faults: [{ kind: 'status', status: 429, retryAfterMs: 10, message: 'slow down please' }], text: '{"answer":"ok","evidence":[]}' });
      fake.setModel('busy-o', { faults: [{ kind: 'status', status: 503, retryAfterMs: 10, message: 'overloaded now' }], text: '{"answer":"ok","evidence":[]}' });
      const env = { ANTHROPIC_API_KEY: 'sk-ant-test-hyg-1234567890', ANTHROPIC_BASE_URL: fake.anthropicBaseURL, OPENAI_API_KEY: 'sk-test-hyg-1234567890', OPENAI_BASE_URL: fake.openaiBaseURL };
      const r = await djp(['run', '--task', 'otters', '--debaters', 'anthropic:busy-a,openai:busy-o', '--judge', 'anthropic:judge-x', '--policy', 'all'], env);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('d1 attempt 1: 429 slow down please');
      expect(r.stderr).toContain('d2 attempt 1: 503 overloaded now');
      expect(r.stderr).not.toMatch(/429 429|503 503/);
      expect(r.stderr).not.toContain('{"type":"error"');
    } finally {
      await fake.close();
    }
  }, SLOW);

  it('attempt lines name a status once, whichever way the error text is written', () => {
    expect(attemptText({ outcome: 'error', http_status: 429, error: '429 slow down' })).toBe('429 slow down');
    expect(attemptText({ outcome: 'error', http_status: 500, error: 'internal' })).toBe('500 internal');
    expect(attemptText({ outcome: 'error', http_status: 502, error: 'HTTP 502' })).toBe('HTTP 502');
    expect(attemptText({ outcome: 'timeout', http_status: null, error: 'timed out after 5 ms' })).toBe('timed out after 5 ms');
    expect(attemptText({ outcome: 'error', http_status: null, error: null })).toBe('error');
  });

  it('S3 errors without an error body name the HTTP status, not "UnknownError" (Ceph RGW, wrong secret)', async () => {
    const rgw = await sharedRgw();
    const b = new S3Backend({ bucket: rgw.bucket, prefix: `hygiene-${process.pid}`, env: { ...rgw.env, AWS_SECRET_ACCESS_KEY: 'definitely-the-wrong-secret' } });
    try {
      // HEAD answers carry no body: the SDK has nothing but the status to go on.
      const errs = await Promise.all([b.exists('x.json').catch((e: unknown) => e), b.create('x.json', '1').catch((e: unknown) => e)]);
      for (const err of errs) {
        expect(err).toBeInstanceOf(StorageError);
        expect((err as StorageError).message).toMatch(/HTTP 403 Forbidden/);
        expect((err as StorageError).message).not.toMatch(/UnknownError/);
      }
    } finally {
      await b.close();
    }
  }, 180_000);

  it('a base URL without a scheme fails at start, naming the variable (run exit 2, serve exit 2)', async () => {
    const bad = { OPENAI_COMPATIBLE_BASE_URL: 'localhost:11434/v1' };
    const r = await djp(['run', '--task', 'x'], bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('OPENAI_COMPATIBLE_BASE_URL: not an http(s) URL: "localhost:11434/v1"');
    const s = await djp(['serve', '--port', '0'], { ...bad, ANTHROPIC_BASE_URL: 'ftp://example.test' });
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/ANTHROPIC_BASE_URL: not an http\(s\) URL|OPENAI_COMPATIBLE_BASE_URL: not an http\(s\) URL/);
    const j = await djp(['run', '--task', 'x', '--json'], { OPENAI_BASE_URL: 'api.openai.com' });
    expect(JSON.parse(j.stdout)).toEqual({ error: { code: 'invalid', field: 'OPENAI_BASE_URL', message: expect.any(String) } });
  }, SLOW);

  it('an unreadable corpus names grounded_corpus and exits 2 (not "unexpected error")', async () => {
    // Permissions do not stop root: run the CLI as an unprivileged user then.
    const asRoot = process.getuid?.() === 0;
    const user = asRoot ? { uid: 65534, gid: 65534 } : {};
    const base = mkdtempSync(join(tmpdir(), 'djp-corpus-'));
    try {
      const runs = join(base, 'runs');
      mkdirSync(runs);
      const corpus = join(base, 'corpus');
      mkdirSync(join(corpus, 'locked'), { recursive: true });
      writeFileSync(join(corpus, 'a.md'), 'Otters hold hands while sleeping.');
      writeFileSync(join(corpus, 'locked', 'b.md'), 'secret notes');
      if (asRoot) {
        chmodSync(base, 0o755);
        for (const p of [base, runs, corpus, join(corpus, 'a.md')]) chownSync(p, 65534, 65534);
      }
      chmodSync(join(corpus, 'locked'), 0o000);
      const r = await runCli(['run', '--task', 'otters', '--grounded_corpus', corpus], { cwd: base, env: { HOME: base, RUNS_DIR: runs }, ...user });
      expect(r.stderr).not.toContain('unexpected error');
      expect(r.stderr).toMatch(/djp: grounded_corpus: cannot read .*locked \(EACCES\)/);
      expect(r.code).toBe(2);
    } finally {
      spawnSync('chmod', ['-R', 'u+rwx', base]);
      rmSync(base, { recursive: true, force: true });
    }
  }, SLOW);

  it('the runs list next-page hint keeps every filter, and running it gives the next page', async () => {
    for (const t of ['hint otters one', 'hint otters two', 'hint otters three']) expect((await djp(['run', '--task', t, '--quiet'])).code).toBe(0);
    const first = await djp(['runs', 'list', '--status', 'published', '--provider', 'offline', '--q', 'hint otters', '--from', '2000-01-01', '--limit', '1']);
    expect(first.code).toBe(0);
    const hint = /^more: (djp runs list .*)$/m.exec(first.stdout)?.[1];
    expect(hint).toBeDefined();
    expect(hint).toMatch(/^djp runs list --status published --provider offline --q 'hint otters' --from 2000-01-01 --limit 1 --cursor \S+$/);
    // Run the hint the way a user pastes it: through a shell.
    const argv = spawnSync('sh', ['-c', `printf '%s\\0' ${hint!.replace(/^djp /, '')}`], { encoding: 'utf8' }).stdout.split('\0').filter(Boolean);
    expect(argv).toContain('hint otters');
    const second = await djp(argv);
    expect(second.code).toBe(0);
    const ids = (out: string) => out.split('\n').filter((l) => /^[0-9A-Z]{26} /.test(l));
    expect(ids(second.stdout)).toHaveLength(1);
    expect(ids(second.stdout)[0]).not.toBe(ids(first.stdout)[0]);
    expect(second.stdout).toContain('hint otters');
  }, SLOW);
});
