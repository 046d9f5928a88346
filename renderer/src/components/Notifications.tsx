// Notifications (docs/NOTIFICATIONS.md): what was sent for one run (artifact.notifications), and which
// channels the server notifies with each one's last delivery (GET /api/info). Neither ever holds a
// webhook URL or a password: the server reports hosts only.
import { useEffect, useRef } from 'react';
import type { NotificationRecord, NotificationsInfo, RunArtifact } from '../../../shared/api/index.js';
import { formatTime } from '../lib/format.js';
import { TableWrap } from './TableWrap.js';

const CHANNEL: Record<string, string> = { slack: 'Slack', teams: 'Microsoft Teams', email: 'Email' };
const EVENT: Record<string, string> = { pending_approval: 'waiting for approval', failed: 'run failed', batch_finished: 'batch finished' };

function outcome(r: NotificationRecord): string {
  const tries = `${r.attempts} attempt${r.attempts === 1 ? '' : 's'}`;
  return r.status === 'sent' ? `sent (${tries}) at ${formatTime(r.at)}` : `failed after ${tries} at ${formatTime(r.at)}${r.error ? `: ${r.error}` : ''}`;
}

/** The run page's list of deliveries; nothing when none was sent. */
export function RunNotifications({ records }: { records: NotificationRecord[] | undefined }) {
  if (!records?.length) return null;
  return (
    <section aria-label="Notifications" className="card">
      <h3>Notifications</h3>
      <ul>
        {records.map((r, i) => (
          <li key={i} data-channel={r.channel} data-status={r.status}>
            <span className={`badge ${r.status === 'sent' ? 'ok' : 'off'}`}>{r.status}</span> {CHANNEL[r.channel] ?? r.channel} — {EVENT[r.event] ?? r.event}: {outcome(r)}
          </li>
        ))}
      </ul>
    </section>
  );
}

/**
 * A run that has just ended pending approval (or failed) is notified right after it is saved, so the
 * artifact the live view loaded has no record yet: with channels configured, read the run again a
 * couple of times until the record is there. A newer artifact (a decision made meanwhile) is never
 * replaced by the re-read.
 */
export function useNotificationRecords(artifact: RunArtifact | null, info: NotificationsInfo | undefined, reload: (id: string) => Promise<RunArtifact>, apply: (a: RunArtifact) => void): void {
  const current = useRef(artifact);
  current.current = artifact;
  const waits = artifact && !artifact.notifications?.length && (info?.channels.length ?? 0) > 0 && (artifact.status === 'pending_approval' || (artifact.status === 'none' && info!.events.includes('failed')));
  const id = artifact?.id ?? null;
  useEffect(() => {
    if (!waits || !id) return;
    let stopped = false;
    const timers = [1500, 4000].map((ms) =>
      setTimeout(() => {
        const before = current.current;
        if (stopped || !before || before.notifications?.length) return;
        reload(id).then(
          (a) => {
            if (!stopped && current.current === before && a.notifications?.length) apply(a);
          },
          () => undefined,
        );
      }, ms),
    );
    return () => {
      stopped = true;
      timers.forEach(clearTimeout);
    };
  }, [waits, id, reload, apply]);
}

/** Settings: the configured channels, where they deliver and their last result. */
export function NotificationSettings({ info }: { info: NotificationsInfo | undefined }) {
  if (!info || info.channels.length === 0) {
    return (
      <p className="muted" data-testid="notify-off">
        No notifications are configured. Set DJP_NOTIFY_SLACK_URL, DJP_NOTIFY_TEAMS_URL or DJP_SMTP_URL with DJP_NOTIFY_EMAIL_TO, and DJP_PUBLIC_URL, on the server (docs/NOTIFICATIONS.md).
      </p>
    );
  }
  return (
    <>
      <p>Notifies on: {info.events.map((e) => EVENT[e] ?? e).join(', ')}</p>
      <TableWrap label="Notification channels table">
        <table aria-label="Notification channels">
          <thead>
            <tr>
              <th scope="col">Channel</th>
              <th scope="col">Delivers to</th>
              <th scope="col">Last delivery</th>
            </tr>
          </thead>
          <tbody>
            {info.channels.map((c) => (
              <tr key={c.channel} data-channel={c.channel}>
                <th scope="row">{CHANNEL[c.channel] ?? c.channel}</th>
                <td>
                  <code>{c.target}</code>
                </td>
                <td>
                  {c.last ? (
                    <>
                      <span className={`badge ${c.last.status === 'sent' ? 'ok' : 'off'}`}>{c.last.status}</span> {EVENT[c.last.event] ?? c.last.event}
                      {c.last.run_id && (
                        <>
                          {' '}
                          (<a href={`#/runs/${c.last.run_id}`}>run {c.last.run_id}</a>)
                        </>
                      )}
                      {c.last.batch_id && ` (batch ${c.last.batch_id})`}: {outcome(c.last)}
                    </>
                  ) : (
                    <span className="muted">nothing sent yet</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </>
  );
}
