import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMETERS } from '../../shared/api/index.js';
import { PRESETS, resolveRunParams } from '../../shared/config/params.js';
import { loadProviderRegistry } from '../../shared/providers/registry.js';

const offline = () => loadProviderRegistry({});

describe('resolveRunParams: explicit > preset > default', () => {
  it('uses the defaults when nothing is set', async () => {
    const p = resolveRunParams({ task: 't' }, { registry: await offline() });
    expect(p).toMatchObject({ preset: null, max_tokens: DEFAULT_PARAMETERS.max_tokens, temperature: 0.3, policy: 'all', margin_threshold: 2, judge_passes: 'auto', offline: true });
    expect(p.debaters.every((d) => d.provider === 'offline')).toBe(true);
  });

  it.each(Object.keys(PRESETS) as Array<keyof typeof PRESETS>)('preset %s fills only unset options', async (name) => {
    const reg = await offline();
    const values = PRESETS[name].values;
    const filled = resolveRunParams({ task: 't', preset: name }, { registry: reg });
    for (const [k, v] of Object.entries(values)) expect(filled[k as keyof typeof filled]).toEqual(v);
    // An explicit value beats the preset for every option the preset sets.
    const explicit: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(values)) explicit[k] = typeof v === 'boolean' ? !v : typeof v === 'number' ? (k === 'temperature' ? 1.1 : k === 'max_debaters' ? 1 : 5) : v;
    const over = resolveRunParams({ task: 't', preset: name, ...explicit }, { registry: reg });
    for (const k of Object.keys(values)) expect(over[k as keyof typeof over]).toEqual(explicit[k]);
    expect(over.preset).toBe(name);
  });

  it('deterministic sets temperature 0 but keeps an explicit temperature', async () => {
    const reg = await offline();
    expect(resolveRunParams({ task: 't', preset: 'deterministic' }, { registry: reg }).temperature).toBe(0);
    expect(resolveRunParams({ task: 't', preset: 'deterministic', temperature: 0.7 }, { registry: reg }).temperature).toBe(0.7);
    // an explicit value equal to the default still beats the preset
    expect(resolveRunParams({ task: 't', preset: 'deterministic', temperature: 0.3 }, { registry: reg }).temperature).toBe(0.3);
  });

  it('defaults debaters to one per configured provider and the judge to the first', async () => {
    const reg = await loadProviderRegistry({ OPENAI_API_KEY: 'k1', GOOGLE_API_KEY: 'k2', DJP_GOOGLE_MODEL: 'gemini-x', DJP_OPENAI_JUDGE_MODEL: 'judge-y' });
    const p = resolveRunParams({ task: 't' }, { registry: reg });
    expect(p.debaters).toEqual([
      { provider: 'openai', model: 'gpt-5.4-mini' },
      { provider: 'google', model: 'gemini-x' },
    ]);
    expect(p.judge).toEqual({ provider: 'openai', model: 'judge-y' });
    expect(p.offline).toBe(false);
    expect(resolveRunParams({ task: 't', max_debaters: 1 }, { registry: reg }).debaters).toHaveLength(1);
  });

  it('openai_compatible is configured by its base URL alone', async () => {
    const reg = await loadProviderRegistry({ OPENAI_COMPATIBLE_BASE_URL: 'http://127.0.0.1:11434/v1', OPENAI_COMPATIBLE_MODEL: 'llama3.2' });
    const p = resolveRunParams({ task: 't' }, { registry: reg });
    expect(p.debaters).toEqual([{ provider: 'openai_compatible', model: 'llama3.2' }]);
    expect(reg.statuses().find((s) => s.id === 'openai_compatible')!.key_source).toBe('not_needed');
  });

  it('names the field for unconfigured providers and over-long debater lists', async () => {
    const reg = await loadProviderRegistry({ OPENAI_API_KEY: 'k1' });
    expect(() => resolveRunParams({ task: 't', debaters: [{ provider: 'anthropic', model: 'c' }] }, { registry: reg })).toThrow(/debaters.0: provider anthropic is not configured: set ANTHROPIC_API_KEY/);
    expect(() => resolveRunParams({ task: 't', max_debaters: 1, debaters: [{ provider: 'openai', model: 'a' }, { provider: 'openai', model: 'b' }] }, { registry: reg })).toThrow(/max_debaters is 1/);
  });
});
