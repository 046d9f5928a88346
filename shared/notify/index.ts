export { notifyConfigFromEnv, notifyStatus, NotifyConfigError, NOTIFY_EVENTS, type NotifyConfig, type NotifyEvent } from './config.js';
export { buildNotice, emailMessage, slackPayload, teamsPayload, type Notice } from './message.js';
export { createNotifier, type Notifier, type NotifierOptions, type NotifyChannel, type NotifyResult } from './notifier.js';
