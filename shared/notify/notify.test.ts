// The notifier against local receivers: a real SMTP server (npm smtp-server, with a login) and an HTTP
// receiver that checks the payloads against Slack's Block Kit rules (incoming webhooks: `text` plus
// `blocks`; header plain_text ≤ 150, section text ≤ 3000, ≤ 10 fields, buttons with plain_text ≤ 75
// and a url) and the Teams workflow-webhook shape (a message whose attachment is an Adaptive Card).
// Faults: 500s and a 429 with Retry-After are retried with backoff, a 400 is not; nothing throws.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedactor } from '../guardrails/redaction.js';
import { makeArtifact, makeDraft } from '../../test/fixtures/sample-artifact.js';
import { createNotifier, notifyConfigFromEnv, notifyStatus, type NotifyConfig } from './index.js';

interface Mail {
  from: string;
  to: string[];
  data: string;
}

let smtp: SMTPServer;
let smtpPort = 0;
const mails: Mail[] = [];
let hooks: http.Server;
let hookBase = '';
const received: Array<{ path: string; body: Record<string, unknown>; at: number }> = [];
/** Per path: statuses to answer before answering OK (e.g. [500, 500]). */
const faults = new Map<string, Array<{ status: number; retryAfter?: string }>>();

/** Block Kit rules for what we send (https://api.slack.com/reference/block-kit/blocks). */
function checkSlack(body: Record<string, unknown>): string[] {
  const errs: string[] = [];
  if (typeof body['text'] !== 'string' || !body['text']) errs.push('text: the notification fallback is required');
  const blocks = body['blocks'] as Array<Record<string, unknown>>;
  if (!Array.isArray(blocks) || blocks.length === 0 || blocks.length > 50) return [...errs, 'blocks: 1–50 required'];
  const textObj = (t: unknown, where: string, max: number, plainOnly = false) => {
    const o = t as { type?: string; text?: string };
    if (!o || (o.type !== 'plain_text' && o.type !== 'mrkdwn') || (plainOnly && o.type !== 'plain_text')) errs.push(`${where}: text object of type ${plainOnly ? 'plain_text' : 'plain_text|mrkdwn'}`);
    if (typeof o?.text !== 'string' || o.text.length < 1 || o.text.length > max) errs.push(`${where}: text 1–${max} characters`);
  };
  blocks.forEach((b, i) => {
    switch (b['type']) {
      case 'header':
        textObj(b['text'], `blocks[${i}].text`, 150, true);
        break;
      case 'section': {
        if (!b['text'] && !b['fields']) errs.push(`blocks[${i}]: section needs text or fields`);
        if (b['text']) textObj(b['text'], `blocks[${i}].text`, 3000);
        const fields = b['fields'] as unknown[] | undefined;
        if (fields) {
          if (fields.length > 10) errs.push(`blocks[${i}].fields: at most 10`);
          fields.forEach((f, j) => textObj(f, `blocks[${i}].fields[${j}]`, 2000));
        }
        break;
      }
      case 'actions': {
        const els = b['elements'] as Array<Record<string, unknown>>;
        if (!Array.isArray(els) || els.length < 1 || els.length > 25) errs.push(`blocks[${i}].elements: 1–25`);
        for (const [j, e] of (els ?? []).entries()) {
          if (e['type'] !== 'button') errs.push(`blocks[${i}].elements[${j}]: button expected`);
          textObj(e['text'], `blocks[${i}].elements[${j}].text`, 75, true);
          if (typeof e['url'] !== 'string' || (e['url'] as string).length > 3000) errs.push(`blocks[${i}].elements[${j}].url`);
          if (e['style'] !== undefined && e['style'] !== 'primary' && e['style'] !== 'danger') errs.push(`blocks[${i}].elements[${j}].style`);
        }
        break;
      }
      case 'context': {
        const els = b['elements'] as unknown[];
        if (!Array.isArray(els) || els.length < 1 || els.length > 10) errs.push(`blocks[${i}].elements: 1–10`);
        (els ?? []).forEach((e, j) => textObj(e, `blocks[${i}].elements[${j}]`, 3000));
        break;
      }
      default:
        errs.push(`blocks[${i}]: unexpected block type ${String(b['type'])}`);
    }
  });
  return errs;
}

/** The Teams workflow "Send webhook alerts to a channel" shape. */
function checkTeams(body: Record<string, unknown>): string[] {
  const errs: string[] = [];
  if (body['type'] !== 'message') errs.push('type must be "message"');
  const att = body['attachments'] as Array<Record<string, unknown>>;
  if (!Array.isArray(att) || att.length !== 1) return [...errs, 'attachments: one card'];
  if (att[0]!['contentType'] !== 'application/vnd.microsoft.card.adaptive') errs.push('attachments[0].contentType');
  const card = att[0]!['content'] as Record<string, unknown>;
  if (card?.['type'] !== 'AdaptiveCard') errs.push('content.type must be AdaptiveCard');
  if (!/^1\.[0-6]$/.test(String(card?.['version']))) errs.push('content.version 1.0–1.6');
  for (const [i, el] of ((card?.['body'] as Array<Record<string, unknown>>) ?? []).entries()) {
    if (el['type'] === 'TextBlock' && typeof el['text'] !== 'string') errs.push(`body[${i}].text`);
    else if (el['type'] === 'FactSet') {
      for (const f of el['facts'] as Array<Record<string, unknown>>) if (typeof f['title'] !== 'string' || typeof f['value'] !== 'string') errs.push(`body[${i}].facts`);
    } else if (el['type'] !== 'TextBlock') errs.push(`body[${i}]: unexpected ${String(el['type'])}`);
  }
  for (const a of (card?.['actions'] as Array<Record<string, unknown>>) ?? []) if (a['type'] !== 'Action.OpenUrl' || typeof a['url'] !== 'string') errs.push('actions: Action.OpenUrl with url');
  return errs;
}

beforeAll(async () => {
  smtp = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === 'djp' && auth.password === 'mail-secret-pw') cb(null, { user: 'djp' });
      else cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, session, cb) {
      let data = '';
      stream.on('data', (c: Buffer) => (data += c.toString()));
      stream.on('end', () => {
        mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), data });
        cb();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
  smtpPort = (smtp.server.address() as AddressInfo).port;

  hooks = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const path = req.url ?? '/';
      const fault = faults.get(path)?.shift();
      if (fault) {
        res.writeHead(fault.status, fault.retryAfter ? { 'retry-after': fault.retryAfter } : {});
        res.end(fault.status === 400 ? 'invalid_payload' : 'try later');
        return;
      }
      const body = JSON.parse(raw) as Record<string, unknown>;
      const errs = path.startsWith('/slack') ? checkSlack(body) : checkTeams(body);
      received.push({ path, body, at: Date.now() });
      if (errs.length) {
        res.writeHead(400);
        res.end(`invalid_payload: ${errs.join('; ')}`);
      } else if (path.startsWith('/slack')) {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok');
      } else {
        res.writeHead(202);
        res.end();
      }
    });
  });
  await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', () => r()));
  hookBase = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((r) => smtp.close(() => r()));
  await new Promise<void>((r) => hooks.close(() => r()));
});

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
    // Quoted-printable and encoded-word (RFC 2047) decoded, as a mail client shows it.
    const qp = (t: string) => t.replace(/((?:=[0-9A-F]{2})+)/g, (m) => Buffer.from(m.replace(/=/g, ''), 'hex').toString('utf8'));
    const split = mail.data.indexOf('\r\n\r\n');
    const headers = mail.data
      .slice(0, split)
      .replace(/\r\n[ \t]+/g, ' ') // unfold
      .replace(/\?=\s+=\?/g, '?==?') // adjacent encoded words join without the space between them
      .replace(/=\?UTF-8\?Q\?(.*?)\?=/gi, (_m, w: string) => qp(w.replace(/_/g, ' ')));
    const shown = `${headers}\r\n\r\n${qp(mail.data.slice(split).replace(/=\r?\n/g, ''))}`;
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
