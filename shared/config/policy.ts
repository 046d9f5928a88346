// Publish policies: which drafts may be released. Built-in by name, or a JSON file:
//   {"name": "team", "allow": ["openai", "anthropic:claude-sonnet-4-6"], "prefer": ["anthropic"]}
// `allow` entries are a provider id or provider:model; "*" allows all. `prefer` lists providers whose
// top-ranked allowed draft wins over a higher-ranked allowed draft from another provider.
// An unknown name is an error, never a silent fallback.
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { DjpError, parseOrInvalid, POLICY_NAMES, PROVIDER_IDS, type ModelRef, type PolicySpec } from '../api/index.js';

export interface Policy {
  name: string;
  /** False for `none`: nothing is released automatically. */
  publishes: boolean;
  allow: '*' | string[];
  prefer: string[];
  /** Where it came from (recorded in the artifact with its content). */
  source: 'builtin' | 'file' | 'inline';
  path: string | null;
}

const builtin = (name: string, publishes: boolean, allow: '*' | string[], prefer: string[]): Policy => ({ name, publishes, allow, prefer, source: 'builtin', path: null });

/** `all` is the default: the judge decides (top-ranked draft that passes the guardrails). */
export const BUILTIN_POLICIES: Record<(typeof POLICY_NAMES)[number], Policy> = {
  none: builtin('none', false, [], []),
  openai_only: builtin('openai_only', true, ['openai'], []),
  openai_preferred: builtin('openai_preferred', true, '*', ['openai']),
  all: builtin('all', true, '*', []),
};

const Entry = z.string().refine((s) => (PROVIDER_IDS as readonly string[]).includes(s.split(':')[0]!), 'must be a provider id or provider:model');
const PolicyFile = z
  .object({
    name: z.string().min(1).max(100),
    publishes: z.boolean().default(true),
    allow: z.union([z.literal('*'), z.array(z.union([z.literal('*'), Entry]))]),
    prefer: z.array(Entry).default([]),
  })
  .strict();

export function isPolicyPath(s: string): boolean {
  return s.endsWith('.json') || s.includes('/') || s.includes('\\');
}

/** Checks a policy value without reading files (for the server, which accepts names only). */
export function isBuiltinPolicy(name: string): name is keyof typeof BUILTIN_POLICIES {
  return Object.hasOwn(BUILTIN_POLICIES, name);
}

/** A policy given as content (replay of a stored artifact, or an API client sending it inline). */
export function inlinePolicy(spec: PolicySpec, label: string | null): Policy {
  const r = { data: parseOrInvalid(PolicyFile, spec, { field: 'policy_content' }) };
  const allow = r.data.allow === '*' || r.data.allow.includes('*') ? '*' : r.data.allow;
  return { name: r.data.name, publishes: r.data.publishes, allow, prefer: r.data.prefer, source: 'inline', path: label && isPolicyPath(label) ? label : null };
}

/** The artifact's record of a policy: its content and where it came from. */
export function policyRecord(p: Policy): PolicySpec & { source: Policy['source']; path: string | null } {
  return { name: p.name, publishes: p.publishes, allow: p.allow === '*' ? '*' : [...p.allow], prefer: [...p.prefer], source: p.source, path: p.path };
}

export function loadPolicy(nameOrPath: string, opts: { allowFiles?: boolean } = {}): Policy {
  if (isBuiltinPolicy(nameOrPath)) return BUILTIN_POLICIES[nameOrPath];
  if (!isPolicyPath(nameOrPath)) {
    throw new DjpError('invalid', `policy: unknown policy "${nameOrPath}" (built-in: ${POLICY_NAMES.join(', ')}; or a path to a .json policy file)`, 'policy');
  }
  if (opts.allowFiles === false) throw new DjpError('invalid', 'policy: policy files are not accepted here; use a built-in policy name', 'policy');
  let text: string;
  try {
    text = readFileSync(nameOrPath, 'utf8');
  } catch (e) {
    throw new DjpError('invalid', `policy: cannot read policy file ${nameOrPath}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'policy');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new DjpError('invalid', `policy: ${nameOrPath} is not valid JSON: ${(e as Error).message}`, 'policy');
  }
  const r = { data: parseOrInvalid(PolicyFile, json, { field: 'policy', label: `policy: ${nameOrPath}` }) };
  const allow = r.data.allow === '*' || r.data.allow.includes('*') ? '*' : r.data.allow;
  return { name: r.data.name, publishes: r.data.publishes, allow, prefer: r.data.prefer, source: 'file', path: nameOrPath };
}

function matches(entry: string, m: ModelRef): boolean {
  const [p, ...rest] = entry.split(':');
  return p === m.provider && (rest.length === 0 || rest.join(':') === m.model);
}

export function policyAllows(policy: Policy, m: ModelRef): boolean {
  if (!policy.publishes) return false;
  return policy.allow === '*' || policy.allow.some((e) => matches(e, m));
}

export function policyPrefers(policy: Policy, m: ModelRef): boolean {
  return policy.prefer.some((e) => matches(e, m));
}
