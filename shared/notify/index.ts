export { notifyConfigFromEnv, notifyConfigured, notifyStatus, notifyTargets, NotifyConfigError, NOTIFY_EVENTS, type NotifyConfig, type NotifyEvent } from './config.js';
export { batchNotice, buildNotice, emailMessage, errorNotice, slackPayload, teamsPayload, type Notice } from './message.js';
export { createNotifier, type Notifier, type NotifierOptions, type NotifyChannel, type NotifyResult } from './notifier.js';
export { createRunNotifications, toRecord, type NotifyLogger, type RunNotifications, type RunNotificationsOptions } from './subscribe.js';
