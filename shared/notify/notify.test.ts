// The notifier against local receivers: a real SMTP server (npm smtp-server, with a login) and an HTTP
// receiver that checks the payloads against Slack's Block Kit rules (incoming webhooks: `text` plus
// `blocks`; header plain_text ≤ 150, section text ≤ 3000, ≤ 10 fields, buttons with plain_text ≤ 75
// and a url) and the Teams workflow-webhook shape (a message whose attachment is an Adaptive Card).
// Faults: 500s and a 429 with Retry-After are retried with backoff, a 400 is not; nothing throws.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedactor } from '../guardrails/redaction.js';
import { makeArtifact, makeDraft } from '../../test/fixtures/sample-artifact.js';
import { shownMail, startNotifyReceivers, type Mail, type NotifyReceivers } from '../../test/fakes/notify-receivers.js';
import { createNotifier, notifyConfigFromEnv, notifyStatus, type NotifyConfig } from './index.js';

let rx: NotifyReceivers;
let smtpPort = 0;
let hookBase = '';
let mails: Mail[] = [];
let received: NotifyReceivers['received'] = [];
const faults = { set: (path: string, statuses: Array<{ status: number; retryAfter?: string }>) => rx.fault(path, statuses) };

beforeAll(async () => {
  rx = await startNotifyReceivers();
  ({ smtpPort, hookBase, mails, received } = rx);
});
afterAll(() => rx.close());

const pending = makeArtifact({
  id: '01JD0000000000000000000001',
  task: 'Draft the refund policy for ada@example.com — use key sk-abcdefghijklmnopqrstuvwxyz123456 if needed',
  status: 'pending_approval',
  drafts: [makeDraft({ id: 'd1' }), makeDraft({ id: 'd2', provider: 'anthropic', model: 'claude-sonnet-4-6' }), makeDraft({ id: 'd3', provider: 'google', model: 'gemini-2.5-pro' }), makeDraft({ id: 'd4', model: 'gpt-5.4-nano' })],
});
pending.judge.scores = [
  { draft_id: 'd1', status: 'scored', score: 7.5, subscores: null, reasons: '', pass_scores: [7.5] },
  { draft_id: 'd2', status: 'scored', score: 9, subscores: null, reasons: '', pass_scores: [9] },
  { draft_id: 'd3', status: 'scored', score: 8.25, subscores: null, reasons: '', pass_scores: [8.25] },
  { draft_id: 'd4', status: 'scored', score: 2, subscores: null, reasons: '', pass_scores: [2] },
];

function config(path: string, extra: Record<string, string> = {}): NotifyConfig {
  return notifyConfigFromEnv({
    DJP_NOTIFY_SLACK_URL: `${hookBase}/slack/${path}`,
    DJP_NOTIFY_TEAMS_URL: `${hookBase}/teams/${path}`,
    DJP_SMTP_URL: `smtp://djp:mail-secret-pw@127.0.0.1:${smtpPort}`,
    DJP_NOTIFY_EMAIL_TO: 'approvers@example.com, lead@example.com',
    DJP_PUBLIC_URL: 'https://djp.example.com/',
    ...extra,
  });
}

const redactor = createRedactor({ enabled: true });
const fast = { redact: (t: string) => redactor.scrub(t), baseDelayMs: 20 };

describe('notifications', () => {
  it('a pending approval reaches Slack (Block Kit), Teams (Adaptive Card) and email: redacted task, top three scores, link to Approvals', async () => {
    const n = createNotifier(config('ok'), fast);
    expect(n.wants('pending_approval')).toBe(true);
    expect(n.wants('failed')).toBe(false);
    const results = await n.notify(pending, 'pending_approval');
    expect(results.map((r) => [r.channel, r.ok, r.attempts, r.error])).toEqual([
      ['slack', true, 1, null],
      ['teams', true, 1, null],
      ['email', true, 1, null],
    ]);
    const link = 'https://djp.example.com/#/approvals?run=01JD0000000000000000000001';

    const slack = received.find((r) => r.path === '/slack/ok')!.body;
    const slackText = JSON.stringify(slack);
    expect(slackText).toContain('Draft the refund policy for');
    expect(slackText).toContain('1. anthropic/claude-sonnet-4-6: 9/10\\n2. google/gemini-2.5-pro: 8.3/10\\n3. openai/gpt-5.4-mini: 7.5/10');
    expect(slackText).not.toContain('gpt-5.4-nano'); // fourth place is not a top score
    const button = (slack['blocks'] as Array<{ type: string; elements?: Array<{ url?: string }> }>).find((b) => b.type === 'actions')!.elements![0]!;
    expect(button.url).toBe(link);

    const teams = received.find((r) => r.path === '/teams/ok')!.body;
    const card = (teams['attachments'] as Array<{ content: { actions: Array<{ url: string }>; body: Array<{ type: string; facts?: Array<{ title: string; value: string }> }> } }>)[0]!.content;
    expect(card.actions[0]!.url).toBe(link);
    expect(card.body.find((b) => b.type === 'FactSet')!.facts!.slice(0, 3)).toEqual([
      { title: '1. anthropic/claude-sonnet-4-6', value: '9/10' },
      { title: '2. google/gemini-2.5-pro', value: '8.3/10' },
      { title: '3. openai/gpt-5.4-mini', value: '7.5/10' },
    ]);

    const mail = mails.at(-1)!;
    expect(mail.to).toEqual(['approvers@example.com', 'lead@example.com']);
    expect(mail.from).toBe('djp@djp.example.com');
    const shown = shownMail(mail); // as a mail client shows it
    expect(shown).toMatch(/^Subject: A DJP run is waiting for approval: Draft the refund policy/m);
    expect(shown).toContain(`Review it: ${link}`);
    expect(shown).toContain('1. anthropic/claude-sonnet-4-6: 9/10');

    // Redacted everywhere: neither the email address nor the key in the task leaves the server.
    for (const text of [slackText, JSON.stringify(teams), shown]) {
      expect(text).not.toContain('ada@example.com');
      expect(text).not.toContain('sk-abcdefghij');
    }
  });

  it('retries 500s and a 429 (honouring Retry-After) with backoff; a 400 is not retried; a wrong SMTP password fails without leaking it; nothing throws', async () => {
    faults.set('/slack/flaky', [{ status: 500 }, { status: 429, retryAfter: '1' }]);
    faults.set('/teams/flaky', [{ status: 400 }]);
    const n = createNotifier(config('flaky', { DJP_SMTP_URL: `smtp://djp:wrong-password-123@127.0.0.1:${smtpPort}` }), fast);
    const t0 = Date.now();
    const results = await n.notify(pending, 'pending_approval');
    const byChannel = Object.fromEntries(results.map((r) => [r.channel, r]));
    expect(byChannel['slack']).toMatchObject({ ok: true, attempts: 3, error: null });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950); // waited the Retry-After second
    expect(byChannel['teams']).toMatchObject({ ok: false, attempts: 1 });
    expect(byChannel['teams']!.error).toMatch(/Teams workflow webhook answered HTTP 400 \(invalid_payload\)/);
    expect(byChannel['email']).toMatchObject({ ok: false });
    expect(byChannel['email']!.error).toMatch(/SMTP: 535/);
    const all = JSON.stringify(results);
    expect(all).not.toContain('wrong-password-123');
    expect(all).not.toContain(hookBase); // never the webhook URL
  });

  it('an unreachable receiver is retried then reported', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const n = createNotifier(
      notifyConfigFromEnv({ DJP_NOTIFY_SLACK_URL: `http://127.0.0.1:${port}/services/T000/B000/XXXX`, DJP_PUBLIC_URL: 'https://djp.example.com' }),
      { ...fast, attempts: 3 },
    );
    const [r] = await n.notify(pending, 'pending_approval');
    expect(r).toMatchObject({ channel: 'slack', ok: false, attempts: 3 });
    expect(r!.error).toMatch(/Slack webhook: ECONNREFUSED/);
    expect(r!.error).not.toContain('XXXX');
  });

  it('a failed run notifies only when DJP_NOTIFY_EVENTS asks for it; its link opens the run', async () => {
    const failed = makeArtifact({ id: '01JD0000000000000000000002', status: 'advisory_only' });
    failed.publish = { ...failed.publish, status: 'advisory_only', reason: 'every draft failed: provider timeout' };
    const n = createNotifier(config('failed', { DJP_NOTIFY_EVENTS: 'pending_approval,failed' }), fast);
    expect(n.wants('failed')).toBe(true);
    await n.notify(failed, 'failed');
    const slack = JSON.stringify(received.find((r) => r.path === '/slack/failed')!.body);
    expect(slack).toContain('A DJP run failed');
    expect(slack).toContain('every draft failed: provider timeout');
    expect(slack).toContain('https://djp.example.com/#/runs/01JD0000000000000000000002');
  });

  it('configuration: bad values name the variable; status shows channels, never URLs', () => {
    expect(() => notifyConfigFromEnv({ DJP_NOTIFY_SLACK_URL: 'hooks.slack.com/x', DJP_PUBLIC_URL: 'https://a' })).toThrow(/DJP_NOTIFY_SLACK_URL is not a URL/);
    expect(() => notifyConfigFromEnv({ DJP_NOTIFY_TEAMS_URL: 'ftp://x/y', DJP_PUBLIC_URL: 'https://a' })).toThrow(/DJP_NOTIFY_TEAMS_URL must be an http\(s\) URL/);
    expect(() => notifyConfigFromEnv({ DJP_SMTP_URL: 'http://mail', DJP_NOTIFY_EMAIL_TO: 'a@b.c', DJP_PUBLIC_URL: 'https://a' })).toThrow(/DJP_SMTP_URL must start with smtp:\/\//);
    expect(() => notifyConfigFromEnv({ DJP_SMTP_URL: 'smtp://mail:25', DJP_PUBLIC_URL: 'https://a' })).toThrow(/DJP_NOTIFY_EMAIL_TO is required/);
    expect(() => notifyConfigFromEnv({ DJP_SMTP_URL: 'smtp://mail:25', DJP_NOTIFY_EMAIL_TO: 'not-an-address', DJP_PUBLIC_URL: 'https://a' })).toThrow(/DJP_NOTIFY_EMAIL_TO: "not-an-address"/);
    expect(() => notifyConfigFromEnv({ DJP_NOTIFY_SLACK_URL: 'https://hooks.slack.com/services/x' })).toThrow(/DJP_PUBLIC_URL is required/);
    expect(() => notifyConfigFromEnv({ DJP_NOTIFY_EVENTS: 'done' })).toThrow(/DJP_NOTIFY_EVENTS: "done" is not one of pending_approval, failed/);
    const status = notifyStatus(config('x'));
    expect(status).toEqual({ slack: true, teams: true, email: true, events: ['pending_approval'] });
    expect(notifyStatus(notifyConfigFromEnv({}))).toEqual({ slack: false, teams: false, email: false, events: ['pending_approval'] });
    expect(createNotifier(notifyConfigFromEnv({})).wants('pending_approval')).toBe(false);
  });
});
