// What this process is: its version, store, outbox backlog, auth mode, surface and notifications;
// the providers configured; its replica id.
import { isDjpError, type ProviderStatus, type ServiceInfo } from '../../api/index.js';
import { loadProviderRegistry } from '../../providers/registry.js';
import { defineModule } from './registry.js';

export const infoModule = defineModule('info', (ctx) => ({
  replica: ctx.replica,

  async info(): Promise<ServiceInfo> {
    let pending = 0;
    try {
      pending = await ctx.store.outboxCount();
    } catch (e) {
      if (!isDjpError(e)) ctx.log?.warn({ err: (e as Error).message }, 'outbox count failed');
    }
    return {
      app_version: ctx.version,
      storage: { kind: ctx.store.kind, location: ctx.store.location },
      outbox_pending: pending,
      auth: ctx.opts.auth ?? 'none',
      surface: ctx.opts.surface,
      ...(ctx.opts.notifications ? { notifications: ctx.opts.notifications.info() } : {}),
    };
  },

  async listProviders(): Promise<ProviderStatus[]> {
    return (await loadProviderRegistry(ctx.env, ctx.opts.secrets)).statuses();
  },
}));
