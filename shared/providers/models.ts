// Model suggestions for the Run form: the model ids each configured provider lists itself (through
// its SDK's own list call, see LlmProvider.listModels), cached per provider for 10 minutes. A
// provider that is not configured is refused naming `id`; a failed listing is `unavailable` with the
// provider's (scrubbed) reason — the form still accepts any typed id. Keys never appear: the
// listing goes through the same SDK client as the runs, and messages pass redactSecrets.
import { DjpError, type ProviderId, type ProviderModels } from '../api/index.js';
import { redactSecrets } from '../guardrails/redaction.js';
import type { ProviderRegistry } from './registry.js';
import type { LlmProvider } from './types.js';

export const MODEL_LIST_TTL_MS = 10 * 60_000;
const LIST_TIMEOUT_MS = 15_000;

export interface ModelCatalog {
  list(registry: ProviderRegistry, id: ProviderId): Promise<ProviderModels>;
}

interface Entry {
  /** The provider instance the list came from: a new key or base URL builds a new one (refetch). */
  provider: LlmProvider;
  at: number;
  models: string[];
}

export function createModelCatalog(opts: { ttlMs?: number; now?: () => number; timeoutMs?: number } = {}): ModelCatalog {
  const ttl = opts.ttlMs ?? MODEL_LIST_TTL_MS;
  const now = opts.now ?? Date.now;
  const cache = new Map<ProviderId, Entry>();
  const pending = new Map<LlmProvider, Promise<Entry>>();

  const fetchList = (id: ProviderId, provider: LlmProvider): Promise<Entry> => {
    let p = pending.get(provider);
    if (!p) {
      const signal = AbortSignal.timeout(opts.timeoutMs ?? LIST_TIMEOUT_MS);
      p = (async () => {
        const listed = provider.listModels ? await provider.listModels(signal) : [];
        const entry = { provider, at: now(), models: [...new Set(listed)].sort() };
        cache.set(id, entry);
        return entry;
      })();
      pending.set(provider, p);
      const forget = () => pending.delete(provider);
      p.then(forget, forget);
    }
    return p;
  };

  return {
    async list(registry, id) {
      if (!registry.isConfigured(id)) throw new DjpError('invalid', `id: provider ${id} is not configured (${registry.hint(id)}); type a model id once it is`, 'id');
      const problem = registry.problem(id);
      if (problem) throw new DjpError('invalid', problem.message, problem.field);
      const provider = registry.create(id);
      const hit = cache.get(id);
      if (hit && hit.provider === provider && now() - hit.at < ttl) return { provider: id, models: [...hit.models], fetched_at: new Date(hit.at).toISOString(), cached: true };
      let entry: Entry;
      try {
        entry = await fetchList(id, provider);
      } catch (e) {
        const why = redactSecrets(e instanceof Error ? e.message : String(e));
        throw new DjpError('unavailable', `listing the models of ${id} failed: ${why} — any model id can still be typed`, 'id', { cause: e });
      }
      return { provider: id, models: [...entry.models], fetched_at: new Date(entry.at).toISOString(), cached: false };
    },
  };
}
