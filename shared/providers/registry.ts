// Which providers are configured, their default models, and how to build them. Keys come from the
// environment or an injectable SecretSource (the desktop keychain); statuses never include a key.
// With no key anywhere, only the labelled offline provider is available; with keys, only real
// providers are used unless offline is asked for explicitly. The two are never mixed silently.
import { DjpError, type ProviderId, type ProviderStatus } from '../api/index.js';
import { createAnthropicProvider } from './anthropic.js';
import { createGoogleProvider, GOOGLE_OPENAI_BASE_URL } from './google.js';
import { OFFLINE_JUDGE_MODEL, OFFLINE_MODELS, createOfflineProvider } from './offline.js';
import { createOpenAIProvider } from './openai.js';
import { createOpenAICompatibleProvider, STRUCTURED_MODES, type CompatibleStructured } from './openai-compatible.js';
import { redactSecrets } from '../guardrails/redaction.js';
import type { LlmProvider } from './types.js';

export type { Env } from '../config/env.js';
import type { Env } from '../config/env.js';
export type RealProviderId = Exclude<ProviderId, 'offline'>;

/** Where keys come from besides the environment (the desktop keychain implements this). */
export interface SecretSource {
  get(provider: ProviderId): Promise<string | null>;
}

interface ProviderSpec {
  id: RealProviderId;
  label: string;
  keyEnv: string;
  baseUrlEnv: string;
  defaultBaseUrl: string | null;
  model: string;
  judgeModel: string;
  models: string[];
  envPrefix: string;
}

/** Current model names; override with DJP_<PROVIDER>_MODEL / DJP_<PROVIDER>_JUDGE_MODEL, and the
 *  one-provider debate list with DJP_<PROVIDER>_MODELS. */
export const PROVIDER_SPECS: readonly ProviderSpec[] = [
  { id: 'openai', label: 'OpenAI', keyEnv: 'OPENAI_API_KEY', baseUrlEnv: 'OPENAI_BASE_URL', defaultBaseUrl: null, model: 'gpt-5.4-mini', judgeModel: 'gpt-5.4', models: ['gpt-5.4', 'gpt-5.4-mini', 'gpt-5.4-nano', 'gpt-4.1'], envPrefix: 'DJP_OPENAI' },
  { id: 'anthropic', label: 'Anthropic', keyEnv: 'ANTHROPIC_API_KEY', baseUrlEnv: 'ANTHROPIC_BASE_URL', defaultBaseUrl: null, model: 'claude-sonnet-4-6', judgeModel: 'claude-opus-4-6', models: ['claude-sonnet-4-6', 'claude-opus-4-6', 'claude-haiku-4-5'], envPrefix: 'DJP_ANTHROPIC' },
  { id: 'google', label: 'Google Gemini', keyEnv: 'GOOGLE_API_KEY', baseUrlEnv: 'GOOGLE_BASE_URL', defaultBaseUrl: GOOGLE_OPENAI_BASE_URL, model: 'gemini-2.5-flash', judgeModel: 'gemini-2.5-pro', models: ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-2.5-flash-lite'], envPrefix: 'DJP_GOOGLE' },
  { id: 'openai_compatible', label: 'OpenAI-compatible endpoint', keyEnv: 'OPENAI_COMPATIBLE_API_KEY', baseUrlEnv: 'OPENAI_COMPATIBLE_BASE_URL', defaultBaseUrl: null, model: 'llama3.1', judgeModel: 'llama3.1', models: [], envPrefix: 'DJP_OPENAI_COMPATIBLE' },
];

/** A base URL as shown to users (/api/providers, the renderer): credentials in it (user:password@,
 *  query values such as ?api-key=…) are masked; the SDK still gets the URL as configured. */
export function displayBaseUrl(raw: string): string {
  try {
    const u = new URL(raw);
    if (u.username || u.password) {
      u.username = '***';
      u.password = '';
    }
    for (const k of [...new Set(u.searchParams.keys())]) u.searchParams.set(k, '***');
    return u.toString();
  } catch {
    return redactSecrets(raw);
  }
}

/**
 * Every configured base URL (OPENAI_BASE_URL, ANTHROPIC_BASE_URL, GOOGLE_BASE_URL,
 * OPENAI_COMPATIBLE_BASE_URL) must be an absolute http(s) URL; checked at start so that
 * "localhost:11434/v1" (no scheme) fails once, naming the variable, instead of failing every call.
 */
export function checkBaseUrls(env: Env): void {
  for (const spec of PROVIDER_SPECS) {
    const raw = env[spec.baseUrlEnv]?.trim();
    if (!raw) continue;
    let ok = false;
    try {
      const u = new URL(raw);
      ok = (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
    } catch {
      ok = false;
    }
    if (!ok)
      throw new DjpError('invalid', `${spec.baseUrlEnv}: not an http(s) URL: "${displayBaseUrl(raw)}" (e.g. http://127.0.0.1:11434/v1)`, spec.baseUrlEnv);
  }
}

interface Resolved {
  spec: ProviderSpec;
  key: string | null;
  keySource: ProviderStatus['key_source'];
  baseUrl: string | null;
  configured: boolean;
  model: string;
  judgeModel: string;
  debateModels: string[];
}

export interface ProviderRegistry {
  /** Real providers with a key (or, for openai_compatible, a base URL), in stable provider order. */
  configured(): RealProviderId[];
  /** True when no real provider is configured: the offline provider is what runs. */
  offlineOnly(): boolean;
  statuses(): ProviderStatus[];
  defaultModel(id: ProviderId): string;
  judgeModel(id: ProviderId): string;
  /** Distinct models a one-provider debate draws from: DJP_<PROVIDER>_MODELS (comma-separated),
   *  else the default model then the provider's known models. */
  debateModels(id: ProviderId): string[];
  /** Builds a provider; throws when it is not configured. */
  create(id: ProviderId): LlmProvider;
  isConfigured(id: ProviderId): boolean;
  /** How to configure it, for error messages. */
  hint(id: ProviderId): string;
  /** A configuration error that makes the provider unusable (named by its variable), or null. */
  problem(id: ProviderId): { field: string; message: string } | null;
}

/** SDK clients are reused across runs (same provider, base URL and key), so each run does not pay
 *  for a new client and new connections. */
const clientCache = new Map<string, LlmProvider>();

export async function loadProviderRegistry(env: Env, secrets?: SecretSource | null): Promise<ProviderRegistry> {
  checkBaseUrls(env);
  const resolved = new Map<RealProviderId, Resolved>();
  for (const spec of PROVIDER_SPECS) {
    let key = env[spec.keyEnv]?.trim() || null;
    let keySource: ProviderStatus['key_source'] = key ? 'env' : 'none';
    if (!key && secrets) {
      key = (await secrets.get(spec.id).catch(() => null))?.trim() || null;
      if (key) keySource = 'keychain';
    }
    const baseUrl = env[spec.baseUrlEnv]?.trim() || spec.defaultBaseUrl;
    let configured = !!key;
    if (spec.id === 'openai_compatible') {
      configured = !!env[spec.baseUrlEnv]?.trim();
      if (configured && !key) keySource = 'not_needed';
    }
    const model = (spec.id === 'openai_compatible' ? env.OPENAI_COMPATIBLE_MODEL?.trim() : undefined) || env[`${spec.envPrefix}_MODEL`]?.trim() || spec.model;
    const judgeModel = env[`${spec.envPrefix}_JUDGE_MODEL`]?.trim() || (spec.id === 'openai_compatible' ? model : spec.judgeModel);
    const listed = (env[`${spec.envPrefix}_MODELS`] ?? '').split(',').map((m) => m.trim()).filter(Boolean);
    const debateModels = [...new Set(listed.length ? listed : [model, ...spec.models])];
    resolved.set(spec.id, { spec, key, keySource, baseUrl, configured, model, judgeModel, debateModels });
  }
  const offlineModel = env.DJP_OFFLINE_MODEL?.trim() || OFFLINE_MODELS[0];
  const offlineJudge = env.DJP_OFFLINE_JUDGE_MODEL?.trim() || OFFLINE_JUDGE_MODEL;
  const configured = PROVIDER_SPECS.filter((s) => resolved.get(s.id)!.configured).map((s) => s.id);
  const structuredRaw = env.OPENAI_COMPATIBLE_STRUCTURED?.trim().toLowerCase() || 'json_schema';
  const compatStructured: CompatibleStructured | null = (STRUCTURED_MODES as readonly string[]).includes(structuredRaw) ? (structuredRaw as CompatibleStructured) : null;

  const reg: ProviderRegistry = {
    configured: () => [...configured],
    offlineOnly: () => configured.length === 0,
    isConfigured: (id) => id === 'offline' || resolved.get(id)!.configured,
    defaultModel: (id) => (id === 'offline' ? offlineModel : resolved.get(id)!.model),
    judgeModel: (id) => (id === 'offline' ? offlineJudge : resolved.get(id)!.judgeModel),
    debateModels: (id) => (id === 'offline' ? [...OFFLINE_MODELS] : [...resolved.get(id)!.debateModels]),
    problem(id) {
      if (id === 'openai_compatible' && !compatStructured)
        return { field: 'OPENAI_COMPATIBLE_STRUCTURED', message: `OPENAI_COMPATIBLE_STRUCTURED must be one of ${STRUCTURED_MODES.join(', ')} (got "${env.OPENAI_COMPATIBLE_STRUCTURED}")` };
      return null;
    },
    hint(id) {
      if (id === 'offline') return '';
      const s = resolved.get(id)!.spec;
      return id === 'openai_compatible' ? `set ${s.baseUrlEnv} (and ${s.keyEnv} if the endpoint needs one)` : `set ${s.keyEnv}`;
    },
    statuses() {
      const real: ProviderStatus[] = PROVIDER_SPECS.map((s) => {
        const r = resolved.get(s.id)!;
        return {
          id: s.id,
          label: s.label,
          configured: r.configured,
          key_source: r.keySource,
          base_url: r.baseUrl === null ? null : displayBaseUrl(r.baseUrl),
          default_model: r.model,
          judge_model: r.judgeModel,
          models: [...new Set([r.model, r.judgeModel, ...s.models])],
        };
      });
      real.push({
        id: 'offline',
        label: 'Offline (deterministic placeholder, no network)',
        configured: true,
        key_source: 'not_needed',
        base_url: null,
        default_model: offlineModel,
        judge_model: offlineJudge,
        models: [...OFFLINE_MODELS, OFFLINE_JUDGE_MODEL],
      });
      return real;
    },
    create(id) {
      let p = built.get(id);
      if (!p) {
        p = build(id);
        built.set(id, p);
      }
      return p;
    },
  };
  const built = new Map<ProviderId, LlmProvider>();
  function build(id: ProviderId): LlmProvider {
    if (id === 'offline') return createOfflineProvider();
    const r = resolved.get(id)!;
    const cacheKey = `${id}\u0000${r.baseUrl ?? ''}\u0000${r.key ?? ''}\u0000${id === 'openai_compatible' ? compatStructured : ''}`;
    let p = clientCache.get(cacheKey);
    if (!p) {
      p = buildUncached(id);
      if (clientCache.size >= 32) clientCache.clear();
      clientCache.set(cacheKey, p);
    }
    return p;
  }
  function buildUncached(id: ProviderId): LlmProvider {
      if (id === 'offline') return createOfflineProvider();
      const r = resolved.get(id)!;
      if (!r.configured) throw new Error(`provider ${id} is not configured: ${reg.hint(id)}`);
      switch (id) {
        case 'openai':
          return createOpenAIProvider({ apiKey: r.key!, baseURL: r.baseUrl });
        case 'anthropic':
          return createAnthropicProvider({ apiKey: r.key!, baseURL: r.baseUrl });
        case 'google':
          return createGoogleProvider({ apiKey: r.key!, baseURL: r.baseUrl });
        case 'openai_compatible':
          if (!compatStructured) throw new Error(reg.problem(id)!.message);
          return createOpenAICompatibleProvider({ baseURL: r.baseUrl!, apiKey: r.key, structured: compatStructured });
      }
  }
  return reg;
}
