// IPC channel names shared by the main process (ipc.ts) and the preload (preload-bridge.ts).
// No imports: the preload bundle includes this file as is.
export const IPC_CHANNELS = {
  /** invoke(op, args) → BridgeResult */
  call: 'djp:call',
  /** invoke(subId, runId, afterSeq|null) → BridgeResult; events then arrive on `event` */
  subscribe: 'djp:subscribe',
  /** send(subId): stop a subscription */
  unsubscribe: 'djp:unsubscribe',
  /** main → renderer: (subId, {type:'event', event} | {type:'end', error}) */
  event: 'djp:event',
  /** invoke(action 'list'|'set'|'delete', provider?, key?) → BridgeResult */
  keys: 'djp:keys',
  /** invoke() → BridgeResult with PickedFile[]: the native open-file dialog (attachments) */
  pickFiles: 'djp:pickFiles',
} as const;

/** What arrives on IPC_CHANNELS.event for one subscription. */
export type SubscriptionMessage =
  | { type: 'event'; event: unknown }
  | { type: 'end'; error: { code: string; message: string; field?: string } | null };
