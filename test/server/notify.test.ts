// Notifications end to end through `djp serve`'s own wiring (startServe: buildService with notify, the
// real HTTP server), runs made with the real OpenAI SDK against the fake LLM server, and local
// receivers: a real SMTP server (smtp-server) and an HTTP receiver that checks the Slack Block Kit and
// Teams Adaptive Card shapes (test/fakes/notify-receivers.ts).
//   - a `require_approval` run notifies all three channels: the redacted task (a key and an email in
//     it never leave), the top scores, the link DJP_PUBLIC_URL/#/approvals?run=ID; each delivery is
//     recorded on the run (artifact.notifications);
//   - a receiver answering 500 then 200 is retried; one answering 500 forever ends as a `failed` record
//     while the run stays pending and approvable; neither the webhook secret nor the SMTP password
//     appears anywhere (records, /api/info, the artifact on disk);
//   - an approval made while the notification is still being delivered survives the record (CAS);
//   - GET /api/info names the channels (hosts only) and each one's last delivery;
//   - DJP_NOTIFY_EVENTS: a failed run and a finished batch notify when asked for;
//   - a bad variable stops the server, naming it.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationsInfo, RunArtifact } from '../../shared/api/index.js';
import { startServe, type RunningServe } from '../../server/commands/serve.js';
import { shownMail, startNotifyReceivers, type NotifyReceivers } from '../fakes/notify-receivers.js';
import { judgeWith, startFakeLlmServer, type FakeLlmServer } from '../fakes/llm-server.js';

const SLACK_PATH = '/slack/services/T0DJP/B0DJP/slackHookSecret123';
const TEAMS_PATH = '/teams/workflows/abc/triggers/manual/paths/invoke?api-version=1&sig=teamsSigSecret456';
const SECRETS = ['slackHookSecret123', 'teamsSigSecret456', 'mail-secret-pw'];
const TASK_KEY = 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789';
const TASK_EMAIL = 'ada.lovelace@example.com';

let fake: FakeLlmServer;
let rx: NotifyReceivers;
let srv: RunningServe;
let runsDir = '';

const DEBATE = {
  debaters: [
    { provider: 'openai', model: 'writer-a' },
    { provider: 'openai', model: 'writer-b' },
  ],
  judge: { provider: 'openai', model: 'judge-1' },
};

beforeAll(async () => {
  fake = await startFakeLlmServer();
  // The judge prefers writer-b (9) over writer-a (6): top scores in a known order.
  fake.setModel('judge-1', { text: judgeWith((body) => (body.includes('writer-b') ? { task_fit: 4, support: 3, clarity: 2 } : { task_fit: 2, support: 2, clarity: 2 })) });
  rx = await startNotifyReceivers();
  const dir = mkdtempSync(join(tmpdir(), 'djp-notify-e2e-'));
  runsDir = join(dir, 'runs');
  srv = await startServe(
    { port: '0', host: '127.0.0.1' },
    {
      RUNS_DIR: runsDir,
      DJP_OUTBOX_DIR: join(dir, 'outbox'),
      DJP_LOG_LEVEL: 'silent',
      OPENAI_API_KEY: 'sk-test-notify-000000000000',
      OPENAI_BASE_URL: fake.openaiBaseURL,
      DJP_NOTIFY_SLACK_URL: `${rx.hookBase}${SLACK_PATH}`,
      DJP_NOTIFY_TEAMS_URL: `${rx.hookBase}${TEAMS_PATH}`,
      DJP_SMTP_URL: rx.smtpUrl,
      DJP_NOTIFY_EMAIL_TO: 'approvers@example.com, lead@example.com',
      DJP_PUBLIC_URL: 'https://djp.example.com/',
      DJP_NOTIFY_EVENTS: 'pending_approval,failed,batch_finished',
    },
  );
}, 60_000);

afterAll(async () => {
  await srv?.stop();
  await rx?.close();
  await fake?.close();
});

async function api<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${srv.url}${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
}

async function waitFor<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The stored run once it has `n` notification records. */
function runWithRecords(id: string, n: number): Promise<RunArtifact> {
  return waitFor(`${n} notification records on ${id}`, async () => {
    const r = await api<RunArtifact>('GET', `/api/runs/${id}`);
    return r.status === 200 && (r.body.notifications?.length ?? 0) >= n ? r.body : null;
  });
}

async function startPending(task: string): Promise<string> {
  const r = await api<{ id: string }>('POST', '/api/runs', { task, require_approval: true, ...DEBATE });
  expect(r.status).toBe(202);
  return r.body.id;
}

const bySlackRun = (id: string) => rx.received.filter((r) => r.path === SLACK_PATH && JSON.stringify(r.body).includes(id));
const byTeamsRun = (id: string) => rx.received.filter((r) => r.path === TEAMS_PATH && JSON.stringify(r.body).includes(id));

describe('notifications wired to runs (djp serve)', () => {
  it('a run pending approval reaches Slack, Teams and email: redacted task, top scores, the Approvals link; each delivery is recorded on the run', async () => {
    const id = await startPending(`Draft the refund policy for ${TASK_EMAIL}; the vendor key is ${TASK_KEY}.`);
    const a = await runWithRecords(id, 3);
    expect(a.status).toBe('pending_approval');
    expect(a.notifications!.map((n) => [n.channel, n.event, n.status, n.attempts])).toEqual([
      ['slack', 'pending_approval', 'sent', 1],
      ['teams', 'pending_approval', 'sent', 1],
      ['email', 'pending_approval', 'sent', 1],
    ]);
    const link = `https://djp.example.com/#/approvals?run=${id}`;

    const [slack] = bySlackRun(id);
    expect(slack).toBeDefined();
    const blocks = slack!.body['blocks'] as Array<{ type: string; text?: { text: string }; fields?: Array<{ text: string }>; elements?: Array<{ url?: string }> }>;
    expect(blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'actions', 'context']);
    expect(blocks[0]!.text!.text).toBe('A DJP run is waiting for approval');
    expect(blocks[1]!.text!.text).toContain('Draft the refund policy for');
    expect(blocks[2]!.fields![0]!.text).toBe('*Top scores*\n1. openai/writer-b: 9/10\n2. openai/writer-a: 6/10');
    expect(blocks[3]!.elements![0]!.url).toBe(link);

    const [teams] = byTeamsRun(id);
    const card = (teams!.body['attachments'] as Array<{ contentType: string; content: { type: string; body: Array<{ type: string; text?: string; facts?: Array<{ title: string; value: string }> }>; actions: Array<{ type: string; url: string }> } }>)[0]!;
    expect(card.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(card.content.type).toBe('AdaptiveCard');
    expect(card.content.body[1]!.text).toContain('Draft the refund policy for');
    expect(card.content.body[2]!.facts!.slice(0, 2)).toEqual([
      { title: '1. openai/writer-b', value: '9/10' },
      { title: '2. openai/writer-a', value: '6/10' },
    ]);
    expect(card.content.actions).toEqual([{ type: 'Action.OpenUrl', title: 'Review in Approvals', url: link }]);

    const mail = rx.mails.find((m) => m.data.includes(id));
    expect(mail?.to).toEqual(['approvers@example.com', 'lead@example.com']);
    const shown = shownMail(mail!);
    expect(shown).toMatch(/^Subject: A DJP run is waiting for approval: Draft the refund policy/m);
    expect(shown).toContain(`Review it: ${link}`);
    expect(shown).toContain('1. openai/writer-b: 9/10');

    // The key and the email address in the task never leave the server.
    for (const text of [JSON.stringify(slack!.body), JSON.stringify(teams!.body), shown]) {
      expect(text).not.toContain(TASK_KEY);
      expect(text).not.toContain('abcdefghijklmnop');
      expect(text).not.toContain(TASK_EMAIL);
      expect(text).toContain('[REDACTED');
    }
  });

  it('a receiver answering 500 then 200 is retried and recorded as sent after 2 attempts', async () => {
    rx.fault(SLACK_PATH, [{ status: 500 }]);
    const id = await startPending('Summarise the quarterly numbers.');
    const a = await runWithRecords(id, 3);
    expect(a.notifications!.find((n) => n.channel === 'slack')).toMatchObject({ status: 'sent', attempts: 2, event: 'pending_approval' });
    expect(bySlackRun(id)).toHaveLength(1);
  });

  it('a receiver answering 500 forever ends as a failed record; the run stays pending and is approved; no secret appears anywhere', async () => {
    rx.fault(TEAMS_PATH, [{ status: 500 }], true);
    try {
      const hitsBefore = rx.hits.get(TEAMS_PATH) ?? 0;
      const id = await startPending('Plan the office move.');
      const a = await runWithRecords(id, 3);
      const teams = a.notifications!.find((n) => n.channel === 'teams')!;
      expect(teams).toMatchObject({ status: 'failed', attempts: 4, event: 'pending_approval' });
      expect(teams.error).toMatch(/Teams workflow webhook answered HTTP 500/);
      expect((rx.hits.get(TEAMS_PATH) ?? 0) - hitsBefore).toBe(4);
      expect(a.notifications!.find((n) => n.channel === 'slack')).toMatchObject({ status: 'sent' });
      expect(a.status).toBe('pending_approval');
      expect(a.approval.state).toBe('pending');

      const approved = await api<RunArtifact>('POST', `/api/runs/${id}/approve`, { reason: 'fine' });
      expect(approved.status).toBe(200);
      expect(approved.body.status).toBe('published');
      expect(approved.body.notifications).toHaveLength(3); // the decision keeps the records

      const info = await api<{ notifications: NotificationsInfo }>('GET', '/api/info');
      expect(info.body.notifications.channels.find((c) => c.channel === 'teams')!.last).toMatchObject({ status: 'failed', attempts: 4, run_id: id });
      // Nothing secret in what a user can read: the record, info, or any stored file.
      const stored = readdirSync(runsDir, { recursive: true, withFileTypes: true })
        .filter((d) => d.isFile())
        .map((d) => readFileSync(join(d.parentPath, d.name), 'utf8'))
        .join('\n');
      for (const text of [JSON.stringify(approved.body), JSON.stringify(info.body), stored]) for (const s of SECRETS) expect(text).not.toContain(s);
    } finally {
      rx.fault(TEAMS_PATH, []);
    }
  });

  it('an approval made while the notification is being delivered survives the record written after it (compare-and-swap)', async () => {
    rx.delay(SLACK_PATH, 800);
    try {
      const id = await startPending('Choose a name for the project.');
      // Teams and email are quick: wait until they are recorded, then approve while Slack is held.
      await waitFor('teams and email delivered', async () => (rx.mails.some((m) => m.data.includes(id)) && byTeamsRun(id).length > 0 ? true : null));
      const approved = await waitFor('approve', async () => {
        const r = await api<RunArtifact>('POST', `/api/runs/${id}/approve`, { reason: 'raced the notification' });
        return r.status === 200 ? r.body : null; // 409 while the run is still finishing
      });
      expect(bySlackRun(id)).toHaveLength(0); // Slack had not answered yet
      const a = await runWithRecords(id, 3);
      expect(a.status).toBe('published');
      expect(a.approval).toMatchObject({ state: 'approved', decided_by: approved.approval.decided_by, reason: 'raced the notification' });
      expect(a.notifications!.map((n) => n.channel).sort()).toEqual(['email', 'slack', 'teams']);
    } finally {
      rx.delay(SLACK_PATH, 0);
    }
  });

  it('GET /api/info names each channel (hosts only, never a URL or password) and its last delivery', async () => {
    const info = await api<{ notifications: NotificationsInfo }>('GET', '/api/info');
    expect(info.status).toBe(200);
    const n = info.body.notifications;
    expect(n.events).toEqual(['pending_approval', 'failed', 'batch_finished']);
    const host = new URL(rx.hookBase).host;
    expect(n.channels.map((c) => [c.channel, c.target])).toEqual([
      ['slack', host],
      ['teams', host],
      ['email', `127.0.0.1:${rx.smtpPort} → 2 recipients`],
    ]);
    for (const c of n.channels) expect(c.last).toMatchObject({ status: 'sent' });
    const text = JSON.stringify(info.body);
    for (const s of SECRETS) expect(text).not.toContain(s);
    expect(text).not.toContain('approvers@example.com');
  });

  it('DJP_NOTIFY_EVENTS: a run that ends with no usable draft notifies "failed" (recorded), a finished batch notifies with its counts', async () => {
    fake.setModel('broken-a', { faults: Array.from({ length: 10 }, () => ({ kind: 'status' as const, status: 400, message: 'model not available' })) });
    fake.setModel('broken-b', { faults: Array.from({ length: 10 }, () => ({ kind: 'status' as const, status: 400, message: 'model not available' })) });
    const started = await api<{ id: string }>('POST', '/api/runs', {
      task: 'This one cannot work.',
      debaters: [
        { provider: 'openai', model: 'broken-a' },
        { provider: 'openai', model: 'broken-b' },
      ],
      judge: { provider: 'openai', model: 'judge-1' },
    });
    expect(started.status).toBe(202);
    const failed = await runWithRecords(started.body.id, 3);
    expect(failed.status).toBe('none');
    expect(failed.notifications!.every((r) => r.event === 'failed' && r.status === 'sent')).toBe(true);
    const slack = JSON.stringify(bySlackRun(started.body.id)[0]!.body);
    expect(slack).toContain('A DJP run failed');
    expect(slack).toContain(`https://djp.example.com/#/runs/${started.body.id}`);

    const batch = await api<{ id: string }>('POST', '/api/batches', { rows: [{ task: 'Row one.' }, { task: 'Row two.' }], options: DEBATE });
    expect(batch.status).toBe(202);
    const msg = await waitFor('the batch message', async () => rx.received.find((r) => r.path === SLACK_PATH && JSON.stringify(r.body).includes(batch.body.id)) ?? null);
    const text = JSON.stringify(msg.body);
    expect(text).toContain('A DJP batch finished');
    expect(text).toContain('2 rows');
    expect(text).toContain(`https://djp.example.com/#/batch?id=${batch.body.id}`);
    const last = await waitFor('the batch delivery in info', async () => {
      const l = (await api<{ notifications: NotificationsInfo }>('GET', '/api/info')).body.notifications.channels[0]!.last;
      return l?.event === 'batch_finished' ? l : null;
    });
    expect(last).toMatchObject({ channel: 'slack', status: 'sent', batch_id: batch.body.id, run_id: null });
  });

  it('a bad notification variable stops the server, naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'djp-notify-bad-'));
    const env = { RUNS_DIR: join(dir, 'runs'), DJP_LOG_LEVEL: 'silent', DJP_PUBLIC_URL: 'https://djp.example.com' };
    await expect(startServe({ port: '0', host: '127.0.0.1' }, { ...env, DJP_NOTIFY_SLACK_URL: 'hooks.slack.com/services/x' })).rejects.toMatchObject({ code: 'invalid', field: 'DJP_NOTIFY_SLACK_URL', message: expect.stringMatching(/DJP_NOTIFY_SLACK_URL is not a URL/) });
    await expect(startServe({ port: '0', host: '127.0.0.1' }, { ...env, DJP_NOTIFY_SLACK_URL: 'https://hooks.slack.com/services/x', DJP_NOTIFY_EVENTS: 'pending_approval,done' })).rejects.toMatchObject({ field: 'DJP_NOTIFY_EVENTS' });
  });
});
