// Local receivers for notifications (shared/notify): a real SMTP server (npm smtp-server, with a
// login: user djp, password mail-secret-pw) and an HTTP receiver that checks each body against the
// real payload rules — Slack incoming webhooks (`text` plus Block Kit `blocks`: header plain_text
// ≤ 150, section text ≤ 3000, ≤ 10 fields, buttons with plain_text ≤ 75 and a url) under /slack/…,
// and the Teams workflow-webhook shape (a message whose one attachment is an Adaptive Card) under
// /teams/…. A body that breaks a rule gets 400 invalid_payload, as Slack answers. Faults per path
// (e.g. 500 then 200, or 500 forever) are queued with `fault()`.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Mail {
  from: string;
  to: string[];
  data: string;
}

export interface Received {
  path: string;
  body: Record<string, unknown>;
  at: number;
}

export interface NotifyReceivers {
  smtpPort: number;
  /** http://127.0.0.1:PORT */
  hookBase: string;
  /** SMTP URL with the right password. */
  smtpUrl: string;
  mails: Mail[];
  /** Bodies that were accepted or refused for their shape (not those answered with a queued fault). */
  received: Received[];
  /** Every request, faults included, per path. */
  hits: Map<string, number>;
  /** Answers the next requests to `path` with these statuses (then normally); `forever` repeats the last one. */
  fault(path: string, statuses: Array<{ status: number; retryAfter?: string }>, forever?: boolean): void;
  /** Holds each answer to `path` this long (0: none), e.g. to decide a run while its notification is under way. */
  delay(path: string, ms: number): void;
  close(): Promise<void>;
}

/** Block Kit rules for what we send (https://api.slack.com/reference/block-kit/blocks). */
export function checkSlack(body: Record<string, unknown>): string[] {
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
export function checkTeams(body: Record<string, unknown>): string[] {
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


export async function startNotifyReceivers(): Promise<NotifyReceivers> {
  const mails: Mail[] = [];
  const received: Received[] = [];
  const hits = new Map<string, number>();
  const faults = new Map<string, { queue: Array<{ status: number; retryAfter?: string }>; forever: boolean }>();
  const delays = new Map<string, number>();
  const smtp = new SMTPServer({
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
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  const hooks = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => void answer());
    const answer = async () => {
      const path = req.url ?? '/';
      const hold = delays.get(path) ?? 0;
      if (hold > 0) await new Promise((r) => setTimeout(r, hold));
      hits.set(path, (hits.get(path) ?? 0) + 1);
      const f = faults.get(path);
      const fault = f ? (f.forever && f.queue.length === 1 ? f.queue[0] : f.queue.shift()) : undefined;
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
    };
  });
  await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', () => r()));
  const hookBase = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`;
  return {
    smtpPort,
    hookBase,
    smtpUrl: `smtp://djp:mail-secret-pw@127.0.0.1:${smtpPort}`,
    mails,
    received,
    hits,
    fault: (path, statuses, forever = false) => faults.set(path, { queue: [...statuses], forever }),
    delay: (path, ms) => delays.set(path, ms),
    async close() {
      await new Promise<void>((r) => smtp.close(() => r()));
      hooks.closeAllConnections();
      await new Promise<void>((r) => hooks.close(() => r()));
    },
  };
}

/** A received email as a mail client shows it: headers unfolded, quoted-printable and RFC 2047 words decoded. */
export function shownMail(mail: Mail): string {
  const qp = (t: string) => t.replace(/((?:=[0-9A-F]{2})+)/g, (m) => Buffer.from(m.replace(/=/g, ''), 'hex').toString('utf8'));
  const split = mail.data.indexOf('\r\n\r\n');
  const headers = mail.data
    .slice(0, split)
    .replace(/\r\n[ \t]+/g, ' ') // unfold
    .replace(/\?=\s+=\?/g, '?==?') // adjacent encoded words join without the space between them
    .replace(/=\?UTF-8\?Q\?(.*?)\?=/gi, (_m, w: string) => qp(w.replace(/_/g, ' ')));
  return `${headers}\r\n\r\n${qp(mail.data.slice(split).replace(/=\r?\n/g, ''))}`;
}
