// The pricing table: USD per million input/output tokens, built in (pricing.json) and overridable by a
// JSON file of the same format (DJP_PRICING_FILE, or an explicit path), merged over the built-in one.
// An unknown model is unpriced (null) — never $0.
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { DjpError, parseOrInvalid, type Usage } from '../api/index.js';
import builtin from './pricing.json' with { type: 'json' };

export const ModelPrice = z.object({
  input: z.number().min(0, 'must be ≥ 0'),
  output: z.number().min(0, 'must be ≥ 0'),
});
export type ModelPrice = z.infer<typeof ModelPrice>;

export const PricingFile = z.object({
  unit: z.string().optional(),
  as_of: z.string().optional(),
  notes: z.string().optional(),
  models: z.record(z.string().min(1), ModelPrice),
});
export type PricingFile = z.infer<typeof PricingFile>;

export interface Pricing {
  /** Where the table came from: "built-in" and any override path. */
  readonly sources: string[];
  /** The price entry for a model, or null when unpriced. */
  lookup(provider: string, model: string): ModelPrice | null;
  /** USD for a usage, or null when the model is unpriced or the usage unknown. */
  usd(provider: string, model: string, usage: Pick<Usage, 'input_tokens' | 'output_tokens'> | null): number | null;
  /** The merged table (lower-cased keys). */
  table(): Record<string, ModelPrice>;
}

/** Version suffixes baseNames strips (not global: no lastIndex state, so one set serves every call). */
const VERSION_SUFFIXES = [
  /@\d{8}$/, // vertex: claude-sonnet-4-5@20250929
  /-v\d+(?::\d+)?$/, // bedrock: …-v1:0
  /-\d{4}-\d{2}-\d{2}$/, // openai: gpt-4.1-2025-04-14
  /-\d{8}$/, // anthropic: claude-haiku-4-5-20251001
  /-latest$/,
  /-(?:preview|exp)-\d{2}-\d{2}$/, // gemini: gemini-2.5-flash-preview-05-20
  /-\d{3}$/, // gemini: gemini-2.0-flash-001
];

/** Candidate base names for a model id: itself, then without a date/version/latest suffix. */
export function baseNames(model: string): string[] {
  let m = model.trim().toLowerCase().replace(/^models\//, '');
  const out = [m];
  let changed = true;
  while (changed) {
    changed = false;
    for (const re of VERSION_SUFFIXES) {
      const next = m.replace(re, '');
      if (next !== m && next.length > 0) {
        m = next;
        out.push(m);
        changed = true;
      }
    }
  }
  return [...new Set(out)];
}

function parsePricing(json: unknown, source: string): PricingFile {
  return parseOrInvalid(PricingFile, json, { field: 'pricing', label: `pricing file ${source}` });
}

export function createPricing(files: Array<{ source: string; data: PricingFile }>): Pricing {
  const merged = new Map<string, ModelPrice>();
  for (const f of files) for (const [k, v] of Object.entries(f.data.models)) merged.set(k.trim().toLowerCase(), v);
  const find = (provider: string, model: string): ModelPrice | null => {
    const p = provider.toLowerCase();
    for (const name of baseNames(model)) {
      const hit = merged.get(`${p}/${name}`) ?? merged.get(name);
      if (hit) return hit;
    }
    return merged.get(`${p}/*`) ?? null;
  };
  // The table never changes once built, and a run prices the same few models on every call, event
  // and projection: each (provider, model) is looked up once (bounded: model ids are user input).
  const found = new Map<string, ModelPrice | null>();
  const lookup = (provider: string, model: string): ModelPrice | null => {
    const key = `${provider}\u0000${model}`;
    let hit = found.get(key);
    if (hit === undefined) {
      hit = find(provider, model);
      if (found.size >= 1000) found.clear();
      found.set(key, hit);
    }
    return hit;
  };
  return {
    sources: files.map((f) => f.source),
    lookup,
    usd(provider, model, usage) {
      if (!usage) return null;
      const price = lookup(provider, model);
      if (!price) return null;
      return roundUsd((usage.input_tokens * price.input + usage.output_tokens * price.output) / 1_000_000);
    },
    table: () => Object.fromEntries(merged),
  };
}

/** Rounds to a billionth of a dollar: float noise goes, a tiny priced call never shows as $0. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e9) / 1e9;
}

/**
 * The built-in table, with `overridePath` (or else $DJP_PRICING_FILE) merged over it.
 * A bad override file is a DjpError('invalid') naming the file and the field.
 */
export function loadPricing(overridePath?: string | null, env: Record<string, string | undefined> = process.env): Pricing {
  const files = [{ source: 'built-in', data: parsePricing(builtin, 'built-in') }];
  const path = overridePath ?? env.DJP_PRICING_FILE?.trim() ?? null;
  if (path) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new DjpError('invalid', `pricing file ${path}: ${code === 'ENOENT' ? 'file not found' : `cannot read (${code})`}`, 'pricing', { cause: e });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new DjpError('invalid', `pricing file ${path}: not valid JSON (${(e as Error).message})`, 'pricing', { cause: e });
    }
    files.push({ source: path, data: parsePricing(json, path) });
  }
  return createPricing(files);
}
