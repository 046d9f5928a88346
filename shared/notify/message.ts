// What a notification says, once, and its three renderings: Slack Block Kit (incoming webhook), a
// Microsoft Teams Adaptive Card (workflow webhook) and an email. The task is redacted again here
// (secrets and personal data) and shortened; scores are the judge's top three; the link opens the
// run's Approvals view in the web app.
import type { BatchInfo, RunArtifact } from '../api/index.js';
import type { NotifyEvent } from './config.js';

export interface Notice {
  event: NotifyEvent;
  /** The run it is about (null for a batch). */
  run_id: string | null;
  /** The batch it is about (batch_finished). */
  batch_id?: string;
  title: string;
  /** Redacted, at most 500 characters. */
  task: string;
  status: string;
  scores: Array<{ model: string; score: number }>;
  url: string;
  /** The reason a failed run gives, redacted. */
  detail: string | null;
}

const TASK_MAX = 500;
const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function buildNotice(a: RunArtifact, event: Exclude<NotifyEvent, 'batch_finished'>, opts: { publicUrl: string; redact: (text: string) => string }): Notice {
  const model = (draftId: string): string => {
    const d = a.drafts.find((x) => x.id === draftId);
    return d ? `${d.provider}/${d.model}` : draftId;
  };
  const scores = a.judge.scores
    .filter((s) => s.score !== null)
    .sort((x, y) => (y.score ?? 0) - (x.score ?? 0))
    .slice(0, 3)
    .map((s) => ({ model: model(s.draft_id), score: Math.round((s.score ?? 0) * 10) / 10 }));
  const route = event === 'pending_approval' ? `approvals?run=${a.id}` : `runs/${a.id}`;
  return {
    event,
    run_id: a.id,
    title: event === 'pending_approval' ? 'A DJP run is waiting for approval' : 'A DJP run failed',
    task: clip(opts.redact(a.task).replace(/\s+/g, ' ').trim(), TASK_MAX),
    status: a.status,
    scores,
    url: `${opts.publicUrl}/#/${route}`,
    detail: event === 'failed' ? clip(opts.redact(a.publish.reason ?? a.status), 300) : null,
  };
}

/** A run that failed without leaving an artifact (run.finished with status 'error'): only its id and error. */
export function errorNotice(runId: string, message: string, opts: { publicUrl: string; redact: (text: string) => string }): Notice {
  return {
    event: 'failed',
    run_id: runId,
    title: 'A DJP run failed',
    task: '(the run failed before it saved an artifact)',
    status: 'error',
    scores: [],
    url: `${opts.publicUrl}/#/runs/${runId}`,
    detail: clip(opts.redact(message), 300),
  };
}

/** A batch whose rows have all been worked through (or that stopped). */
export function batchNotice(b: Pick<BatchInfo, 'id' | 'name' | 'rows' | 'counts' | 'spent_usd' | 'complete'>, opts: { publicUrl: string; redact: (text: string) => string }): Notice {
  const counts = Object.entries(b.counts)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  return {
    event: 'batch_finished',
    run_id: null,
    batch_id: b.id,
    title: b.complete ? 'A DJP batch finished' : 'A DJP batch stopped with rows not done',
    task: clip(opts.redact(`${b.name}: ${b.rows} row${b.rows === 1 ? '' : 's'}`), TASK_MAX),
    status: counts || 'no rows',
    scores: [],
    url: `${opts.publicUrl}/#/batch?id=${encodeURIComponent(b.id)}`,
    detail: `spent $${b.spent_usd.toFixed(4)}`,
  };
}

const subjectOf = (n: Notice): string => (n.run_id ? `Run ${n.run_id}` : `Batch ${n.batch_id ?? ''}`);
const buttonText = (n: Notice): string => (n.event === 'pending_approval' ? 'Review in Approvals' : n.event === 'batch_finished' ? 'Open the batch' : 'Open the run');

/** Slack mrkdwn escapes: & < > only (https://api.slack.com/reference/surfaces/formatting#escaping). */
const slackEscape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const scoreLines = (n: Notice): string => (n.scores.length ? n.scores.map((s, i) => `${i + 1}. ${s.model}: ${s.score}/10`).join('\n') : 'no scores');

/** Slack incoming-webhook body: `text` (the notification fallback) and Block Kit `blocks`. */
export function slackPayload(n: Notice): Record<string, unknown> {
  return {
    text: `${n.title}: ${clip(n.task, 150)}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: clip(n.title, 150), emoji: false } },
      { type: 'section', text: { type: 'mrkdwn', text: `*Task*\n${slackEscape(n.task)}` } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: `*Top scores*\n${slackEscape(scoreLines(n))}` },
          { type: 'mrkdwn', text: `*Status*\n${slackEscape(n.status)}${n.detail ? `\n${slackEscape(n.detail)}` : ''}` },
        ],
      },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            text: { type: 'plain_text', text: buttonText(n), emoji: false },
            url: n.url,
            ...(n.event === 'pending_approval' ? { style: 'primary' } : {}),
            action_id: 'open_run',
          },
        ],
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: slackEscape(subjectOf(n)) }] },
    ],
  };
}

/** Teams workflow-webhook body: a message with one Adaptive Card attachment (schema 1.4). */
export function teamsPayload(n: Notice): Record<string, unknown> {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            { type: 'TextBlock', text: n.title, weight: 'Bolder', size: 'Medium', wrap: true },
            { type: 'TextBlock', text: n.task, wrap: true },
            {
              type: 'FactSet',
              facts: [
                ...n.scores.map((s, i) => ({ title: `${i + 1}. ${s.model}`, value: `${s.score}/10` })),
                { title: 'Status', value: n.detail ? `${n.status}: ${n.detail}` : n.status },
                n.run_id ? { title: 'Run', value: n.run_id } : { title: 'Batch', value: n.batch_id ?? '' },
              ],
            },
          ],
          actions: [{ type: 'Action.OpenUrl', title: buttonText(n), url: n.url }],
        },
      },
    ],
  };
}

const htmlEscape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function emailMessage(n: Notice): { subject: string; text: string; html: string } {
  const subject = `${n.title}: ${clip(n.task, 80)}`;
  const text = [n.title, '', `${n.run_id ? 'Task' : 'Batch'}: ${n.task}`, '', ...(n.run_id ? ['Top scores:', scoreLines(n), ''] : []), `Status: ${n.status}${n.detail ? ` (${n.detail})` : ''}`, '', `${n.event === 'pending_approval' ? 'Review it' : 'Open it'}: ${n.url}`, '', subjectOf(n)].join('\n');
  const html =
    `<p><strong>${htmlEscape(n.title)}</strong></p><p>${htmlEscape(n.task)}</p>` +
    (n.scores.length ? `<ol>${n.scores.map((s) => `<li>${htmlEscape(s.model)}: ${s.score}/10</li>`).join('')}</ol>` : '') +
    `<p>Status: ${htmlEscape(n.status)}${n.detail ? ` (${htmlEscape(n.detail)})` : ''}</p>` +
    `<p><a href="${htmlEscape(n.url)}">${buttonText(n)}</a></p><p>${htmlEscape(subjectOf(n))}</p>`;
  return { subject, text, html };
}
