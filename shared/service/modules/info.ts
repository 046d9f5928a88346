// What this process is: its version, store, outbox backlog, auth mode, surface and notifications;
// the providers configured; its replica id.
import { isDjpError, OPERATIONS, parseArg, type ProviderId, type ProviderModels, type ProviderStatus, type ServiceInfo } from '../../api/index.js';
import { createModelCatalog } from '../../providers/models.js';
import { loadProviderRegistry } from '../../providers/registry.js';
import { defineModule } from './registry.js';

export const infoModule = defineModule('info', (ctx) => {
  // Each provider's own model list, cached per provider client (shared/providers/models.ts).
  const models = createModelCatalog(ctx.opts.modelListTtlMs !== undefined ? { ttlMs: ctx.opts.modelListTtlMs } : {});
  return {
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

    async listProviderModels(id: ProviderId): Promise<ProviderModels> {
      // In-process callers (CLI, desktop) have not had the argument checked: an unknown id is 400 naming `id`.
      const provider = parseArg('listProviderModels', 0, OPERATIONS.listProviderModels.args[0]!, id) as ProviderId;
      return models.list(await loadProviderRegistry(ctx.env, ctx.opts.secrets), provider);
    },
  };
});
