// The one-shot CLI notifies too: `djp run --require_approval` (the real CLI as a subprocess) waits for
// the delivery — here a Slack receiver answering 500 once, then 200 — records it on the run before it
// exits, and says how it went on stderr. A bad notification variable exits 2 naming it.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunArtifact } from '../../shared/api/index.js';
import { runCli } from '../fakes/cli.js';
import { startNotifyReceivers, type NotifyReceivers } from '../fakes/notify-receivers.js';

let rx: NotifyReceivers;
beforeAll(async () => {
  rx = await startNotifyReceivers();
});
afterAll(() => rx?.close());

const HOOK = '/slack/services/T0CLI/B0CLI/cliHookSecret789';

describe('djp run notifies', () => {
  it('a run ending pending approval is delivered (retried after a 500) and recorded before the CLI exits', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'djp-notify-cli-'));
    rx.fault(HOOK, [{ status: 500 }]);
    const r = await runCli(['run', '--task', 'Approve the budget for bob@example.com.', '--offline', '--require_approval', '--json'], {
      cwd,
      env: { RUNS_DIR: join(cwd, 'runs'), DJP_NOTIFY_SLACK_URL: `${rx.hookBase}${HOOK}`, DJP_PUBLIC_URL: 'https://djp.example.com' },
    });
    expect(r.stderr).toMatch(/notify: {3}slack \(127\.0\.0\.1:\d+\) pending_approval sent \(2 attempts\)/);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { id: string; artifact: string; run: RunArtifact };
    expect(out.run.status).toBe('pending_approval');
    expect(out.run.notifications).toEqual([expect.objectContaining({ channel: 'slack', event: 'pending_approval', status: 'sent', attempts: 2 })]);
    // The saved artifact has it too (written before exit), and nothing secret.
    const saved = readFileSync(join(cwd, 'runs', `${out.id}.json`), 'utf8');
    expect((JSON.parse(saved) as RunArtifact).notifications).toHaveLength(1);
    expect(saved + r.stderr + r.stdout).not.toContain('cliHookSecret789');
    const msg = rx.received.find((m) => m.path === HOOK)!;
    expect(JSON.stringify(msg.body)).toContain(`https://djp.example.com/#/approvals?run=${out.id}`);
    expect(JSON.stringify(msg.body)).not.toContain('bob@example.com');
  }, 60_000);

  it('a bad notification variable exits 2 naming it, before any run starts', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'djp-notify-cli-bad-'));
    const r = await runCli(['run', '--task', 'x', '--offline'], { cwd, env: { RUNS_DIR: join(cwd, 'runs'), DJP_NOTIFY_SLACK_URL: 'https://hooks.slack.com/services/x' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/DJP_PUBLIC_URL is required with notifications/);
  }, 60_000);
});
