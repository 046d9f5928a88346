// Delivers a notice to every configured channel, each retried with exponential backoff (a Slack 429's
// Retry-After is honoured), and reports per channel what happened. It never throws: a delivery that
// fails for good is a result with `ok: false` and a message that names the channel and the HTTP status
// or SMTP error — never the webhook URL or the SMTP password.
import type { Transporter } from 'nodemailer';
import type { RunArtifact } from '../api/index.js';
import { redactSecrets } from '../guardrails/redaction.js';
import type { NotifyConfig, NotifyEvent } from './config.js';
import { buildNotice, emailMessage, slackPayload, teamsPayload, type Notice } from './message.js';
import { notifyTargets } from './config.js';

export type { NotifyChannel } from '../api/notification.js';
import type { NotifyChannel } from '../api/notification.js';

export interface NotifyResult {
  channel: NotifyChannel;
  event: NotifyEvent;
  ok: boolean;
  attempts: number;
  error: string | null;
  at: string;
}

export interface NotifierOptions {
  /** Redacts the task and reasons (the guardrails redactor: secrets and personal data). */
  redact?: (text: string) => string;
  /** Attempts per channel (default 4). */
  attempts?: number;
  /** First backoff delay; doubled each retry (default 500 ms). */
  baseDelayMs?: number;
  /** Longest wait honoured from a Retry-After (default 30 s). */
  maxDelayMs?: number;
  /** Per attempt (default 10 s). */
  timeoutMs?: number;
  now?: () => Date;
}

export interface Notifier {
  readonly config: NotifyConfig;
  /** True when the event is configured and some channel is on. */
  wants(event: NotifyEvent): boolean;
  /** The configured channels and where they deliver (no secrets). */
  targets(): Array<{ channel: NotifyChannel; target: string }>;
  /** The message for a run's artifact (pending approval, or failed), to every channel. */
  notify(artifact: RunArtifact, event: Exclude<NotifyEvent, 'batch_finished'>): Promise<NotifyResult[]>;
  /** A prepared notice (a run that left no artifact, a batch), to every channel. */
  send(notice: Notice): Promise<NotifyResult[]>;
  /** The redactor notices are built with (the task, reasons, errors). */
  redact(text: string): string;
}

class Retryable extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function retryAfterMs(v: string | null): number | null {
  if (!v) return null;
  const s = Number(v);
  if (Number.isFinite(s) && s >= 0) return s * 1000;
  const d = Date.parse(v);
  return Number.isFinite(d) ? Math.max(0, d - Date.now()) : null;
}

async function postJson(url: string, body: unknown, timeoutMs: number, label: string): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new Retryable(`${label}: ${(e as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (cause?.code ?? cause?.message ?? (e as Error).message)}`);
  }
  const text = (await res.text().catch(() => '')).slice(0, 200).replace(/\s+/g, ' ').trim();
  if (res.ok) return;
  const why = `${label} answered HTTP ${res.status}${text ? ` (${text})` : ''}`;
  if (res.status === 429 || res.status === 408 || res.status >= 500) throw new Retryable(why, retryAfterMs(res.headers.get('retry-after')));
  throw new Error(why); // 400 invalid_payload, 403, 404 no_service, 410 channel_is_archived: retrying will not help
}

export function createNotifier(config: NotifyConfig, opts: NotifierOptions = {}): Notifier {
  const redact = (s: string) => redactSecrets((opts.redact ?? ((t: string) => t))(s));
  const attempts = Math.max(1, opts.attempts ?? 4);
  const base = opts.baseDelayMs ?? 500;
  const maxDelay = opts.maxDelayMs ?? 30_000;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const now = opts.now ?? (() => new Date());
  // nodemailer is loaded on the first email: a process that never sends one never pays for it.
  let transport: Promise<Transporter> | null = null;
  const mailer = () => (transport ??= import('nodemailer').then((m) => m.default.createTransport(config.smtpUrl!)));

  const senders: Array<{ channel: NotifyChannel; send: (n: Notice) => Promise<void> }> = [];
  if (config.slackUrl) senders.push({ channel: 'slack', send: (n) => postJson(config.slackUrl!, slackPayload(n), timeoutMs, 'Slack webhook') });
  if (config.teamsUrl) senders.push({ channel: 'teams', send: (n) => postJson(config.teamsUrl!, teamsPayload(n), timeoutMs, 'Teams workflow webhook') });
  if (config.smtpUrl && config.emailTo.length) {
    senders.push({
      channel: 'email',
      async send(n) {
        const m = emailMessage(n);
        try {
          await (await mailer()).sendMail({ from: config.emailFrom, to: config.emailTo, subject: m.subject, text: m.text, html: m.html });
        } catch (e) {
          const err = e as { responseCode?: number; code?: string; message?: string };
          const why = `SMTP: ${err.responseCode ? `${err.responseCode} ` : ''}${err.code ?? ''} ${(err.message ?? '').slice(0, 200)}`.replace(/\s+/g, ' ').trim();
          // 5xx replies are permanent (bad recipient, refused login); 4xx and connection errors are not.
          if (err.responseCode && err.responseCode >= 500 && err.responseCode !== 554) throw new Error(why);
          throw new Retryable(why);
        }
      },
    });
  }

  async function deliver(channel: NotifyChannel, event: NotifyEvent, send: () => Promise<void>): Promise<NotifyResult> {
    let last = '';
    for (let i = 1; i <= attempts; i++) {
      try {
        await send();
        return { channel, event, ok: true, attempts: i, error: null, at: now().toISOString() };
      } catch (e) {
        last = redactSecrets((e as Error).message);
        if (!(e instanceof Retryable) || i === attempts) return { channel, event, ok: false, attempts: i, error: last, at: now().toISOString() };
        const wait = Math.min(maxDelay, e.retryAfterMs ?? base * 2 ** (i - 1));
        await sleep(wait);
      }
    }
    return { channel, event, ok: false, attempts, error: last, at: now().toISOString() };
  }

  const send = (notice: Notice): Promise<NotifyResult[]> => Promise.all(senders.map((s) => deliver(s.channel, notice.event, () => s.send(notice))));
  return {
    config,
    wants: (event) => senders.length > 0 && config.publicUrl !== null && config.events.includes(event),
    targets: () => notifyTargets(config),
    redact,
    send,
    async notify(artifact, event) {
      if (!config.publicUrl || senders.length === 0) return [];
      return send(buildNotice(artifact, event, { publicUrl: config.publicUrl, redact }));
    },
  };
}
