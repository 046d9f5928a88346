// Notifications (shared/notify): what a run records about the messages sent for it, and the status
// GET /api/info reports per channel. Browser-safe: zod only. A record never carries a webhook URL or
// an SMTP password; its error names the channel and the HTTP status or SMTP reply.
import * as z from 'zod';

export const NOTIFY_CHANNELS = ['slack', 'teams', 'email'] as const;
export const NotifyChannel = z.enum(NOTIFY_CHANNELS);
export type NotifyChannel = z.infer<typeof NotifyChannel>;

/** What notifies: a run waiting for approval (default), a failed run, a finished batch (DJP_NOTIFY_EVENTS). */
export const NOTIFY_EVENTS = ['pending_approval', 'failed', 'batch_finished'] as const;
export const NotifyEvent = z.enum(NOTIFY_EVENTS);
export type NotifyEvent = z.infer<typeof NotifyEvent>;

/** One delivery to one channel, as recorded on the run (artifact.notifications). */
export const NotificationRecord = z.object({
  channel: NotifyChannel,
  event: NotifyEvent,
  status: z.enum(['sent', 'failed']),
  /** Attempts made (retries with backoff included). */
  attempts: z.number().int().min(1),
  /** When the last attempt ended (UTC). */
  at: z.string().datetime({ offset: false }),
  /** Why it failed (channel and status, never the URL or password); absent when sent. */
  error: z.string().nullable().optional(),
});
export type NotificationRecord = z.infer<typeof NotificationRecord>;

/** GET /api/info: which channels this process notifies, and each one's last delivery. */
export const NotificationsInfo = z.object({
  events: z.array(NotifyEvent),
  channels: z.array(
    z.object({
      channel: NotifyChannel,
      /** Where it goes, without secrets: a webhook's host only; the SMTP host and the recipient count. */
      target: z.string(),
      /** The last delivery this process made on this channel (null before the first). */
      last: NotificationRecord.extend({ run_id: z.string().nullable(), batch_id: z.string().nullable().optional() }).nullable(),
    }),
  ),
});
export type NotificationsInfo = z.infer<typeof NotificationsInfo>;
