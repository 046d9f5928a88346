// Notification settings from the environment. Every bad value is refused naming its variable; the
// secrets in the URLs (a Slack webhook path, a Teams workflow signature, an SMTP password) never
// appear in a message, a log line or the settings status.
import { NOTIFY_EVENTS, type NotifyEvent } from '../api/notification.js';

export { NOTIFY_EVENTS, type NotifyEvent };

export interface NotifyConfig {
  /** DJP_NOTIFY_SLACK_URL: a Slack incoming webhook (https://hooks.slack.com/services/…). */
  slackUrl: string | null;
  /** DJP_NOTIFY_TEAMS_URL: a Microsoft Teams workflow webhook ("When a Teams webhook request is received"). */
  teamsUrl: string | null;
  /** DJP_SMTP_URL: smtp://user:pass@host:587 (STARTTLS when offered) or smtps://…:465. */
  smtpUrl: string | null;
  /** DJP_NOTIFY_EMAIL_TO: comma-separated recipients. */
  emailTo: string[];
  /** DJP_NOTIFY_EMAIL_FROM: the sender (default djp@<public host>). */
  emailFrom: string;
  /** DJP_PUBLIC_URL: where users open the web app; links point at its Approvals view. */
  publicUrl: string | null;
  /** DJP_NOTIFY_EVENTS: what notifies — pending_approval (the default), failed, batch_finished. */
  events: NotifyEvent[];
}

export class NotifyConfigError extends Error {
  override readonly name = 'NotifyConfigError';
  /** The variable at fault (every message starts with its name). */
  get variable(): string {
    return /^(DJP_[A-Z_]+)/.exec(this.message)?.[1] ?? 'DJP_NOTIFY_EVENTS';
  }
}

const EMAIL_RE = /^[^\s@<>()",;:\\]{1,200}@[^\s@<>()",;:\\]{1,200}$/;

function httpUrl(name: string, raw: string | undefined): string | null {
  const v = raw?.trim();
  if (!v) return null;
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new NotifyConfigError(`${name} is not a URL`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new NotifyConfigError(`${name} must be an http(s) URL (got ${u.protocol})`);
  return v;
}

export function notifyConfigFromEnv(env: Record<string, string | undefined>): NotifyConfig {
  const slackUrl = httpUrl('DJP_NOTIFY_SLACK_URL', env['DJP_NOTIFY_SLACK_URL']);
  const teamsUrl = httpUrl('DJP_NOTIFY_TEAMS_URL', env['DJP_NOTIFY_TEAMS_URL']);
  const publicUrl = httpUrl('DJP_PUBLIC_URL', env['DJP_PUBLIC_URL'])?.replace(/\/+$/, '') ?? null;
  let smtpUrl: string | null = env['DJP_SMTP_URL']?.trim() || null;
  if (smtpUrl) {
    let u: URL;
    try {
      u = new URL(smtpUrl);
    } catch {
      throw new NotifyConfigError('DJP_SMTP_URL is not a URL (smtp://user:password@host:587 or smtps://…:465)');
    }
    if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') throw new NotifyConfigError(`DJP_SMTP_URL must start with smtp:// or smtps:// (got ${u.protocol})`);
    if (!u.hostname) throw new NotifyConfigError('DJP_SMTP_URL names no host');
  }
  const emailTo = (env['DJP_NOTIFY_EMAIL_TO'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const to of emailTo) if (!EMAIL_RE.test(to)) throw new NotifyConfigError(`DJP_NOTIFY_EMAIL_TO: "${to}" is not an email address`);
  if (smtpUrl && emailTo.length === 0) throw new NotifyConfigError('DJP_NOTIFY_EMAIL_TO is required when DJP_SMTP_URL is set (who gets the email)');
  if (!smtpUrl && emailTo.length > 0) throw new NotifyConfigError('DJP_SMTP_URL is required when DJP_NOTIFY_EMAIL_TO is set (the mail server to send through)');
  const host = publicUrl ? new URL(publicUrl).hostname : 'localhost';
  const emailFrom = env['DJP_NOTIFY_EMAIL_FROM']?.trim() || `DJP Workflow <djp@${host}>`;
  const rawEvents = (env['DJP_NOTIFY_EVENTS'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const e of rawEvents) if (!(NOTIFY_EVENTS as readonly string[]).includes(e)) throw new NotifyConfigError(`DJP_NOTIFY_EVENTS: "${e}" is not one of ${NOTIFY_EVENTS.join(', ')}`);
  const events = rawEvents.length ? [...new Set(rawEvents as NotifyEvent[])] : (['pending_approval'] as NotifyEvent[]);
  if ((slackUrl || teamsUrl || smtpUrl) && !publicUrl) throw new NotifyConfigError('DJP_PUBLIC_URL is required with notifications (the link to the run in the message)');
  return { slackUrl, teamsUrl, smtpUrl, emailTo, emailFrom, publicUrl, events };
}

/** True when any notification variable is set (the notifier is built only then). */
export function notifyConfigured(env: Record<string, string | undefined>): boolean {
  return ['DJP_NOTIFY_SLACK_URL', 'DJP_NOTIFY_TEAMS_URL', 'DJP_SMTP_URL', 'DJP_NOTIFY_EMAIL_TO'].some((k) => Boolean(env[k]?.trim()));
}

/** Which channels are on (for the settings screen): never a URL. */
export function notifyStatus(c: NotifyConfig): { slack: boolean; teams: boolean; email: boolean; events: NotifyEvent[] } {
  return { slack: c.slackUrl !== null, teams: c.teamsUrl !== null, email: c.smtpUrl !== null && c.emailTo.length > 0, events: [...c.events] };
}

const hostOf = (url: string): string => {
  const u = new URL(url);
  return u.port ? `${u.hostname}:${u.port}` : u.hostname;
};

/**
 * Where each configured channel delivers, safe to show: a webhook's host (the secret is in its path or
 * query), the SMTP host and port (never the user or password) and how many recipients.
 */
export function notifyTargets(c: NotifyConfig): Array<{ channel: 'slack' | 'teams' | 'email'; target: string }> {
  const out: Array<{ channel: 'slack' | 'teams' | 'email'; target: string }> = [];
  if (c.slackUrl) out.push({ channel: 'slack', target: hostOf(c.slackUrl) });
  if (c.teamsUrl) out.push({ channel: 'teams', target: hostOf(c.teamsUrl) });
  if (c.smtpUrl && c.emailTo.length) out.push({ channel: 'email', target: `${hostOf(c.smtpUrl)} → ${c.emailTo.length} recipient${c.emailTo.length === 1 ? '' : 's'}` });
  return out;
}
