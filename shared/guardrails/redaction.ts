// Redaction of secrets and personal data (issue 3).
//
// Two rule sets:
// - SECRET rules (API keys, AWS keys, JWTs, PEM private keys) are always on: artifacts keep them
//   redacted even with `redact: false`. `redactSecrets(text)` — the one credential scrubber — guards
//   log lines and error messages with them plus the looser LOG_SECRET_RULES.
// - PERSONAL-DATA rules (email, phone, SSN, credit cards with a Luhn check, IPv4) and custom rules
//   apply when redaction is on (the default); `redact: false` turns them off.
//
// Strategies: label → `[REDACTED:EMAIL]`, mask → `****`, partial → `****1234` (last 4 kept).
//
// Custom rules file (JSON, `--redaction_rules FILE`):
//   {
//     "strategy": "label",                  // optional: default strategy for every rule
//     "disable_builtin": ["ipv4"],          // optional: personal-data rules to turn off (not secret rules)
//     "rules": [                            // optional: extra rules, applied after the built-in ones
//       { "name": "employee_id",            // required: [a-z0-9_]+, unique
//         "pattern": "EMP-\\d{6}",          // required: a JavaScript regular expression
//         "flags": "i",                     // optional: regex flags from "imsu" (g is always added)
//         "type": "employee_id",            // optional: recorded in events and labels; default: name
//         "strategy": "mask" }              // optional: label | mask | partial
//     ]
//   }
import { readFile } from 'node:fs/promises';
import * as z from 'zod';
import { DjpError, parseOrInvalid, type RedactionEvent } from '../api/index.js';

export const STRATEGIES = ['label', 'mask', 'partial'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export interface RedactionRule {
  name: string;
  type: string;
  pattern: RegExp; // global
  /** Only matches that pass are redacted (e.g. Luhn for card numbers). */
  validate?: (match: string) => boolean;
  /** Redact only this capture group (e.g. the value after `aws_secret_access_key=`). */
  group?: number;
  strategy?: Strategy;
  secret: boolean;
}

export function luhnValid(digits: string): boolean {
  const d = digits.replace(/\D/g, '');
  if (d.length < 13 || d.length > 19) return false;
  let sum = 0;
  for (let i = 0; i < d.length; i++) {
    let n = Number(d[d.length - 1 - i]);
    if (i % 2 === 1) {
      n *= 2;
      if (n > 9) n -= 9;
    }
    sum += n;
  }
  return sum % 10 === 0;
}

const digitsBetween = (min: number, max: number) => (m: string) => {
  const n = m.replace(/\D/g, '').length;
  return n >= min && n <= max;
};

/** Always-on rules: credentials. Order matters (specific before general). */
export const SECRET_RULES: RedactionRule[] = [
  {
    name: 'pem_private_key',
    type: 'private_key',
    pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----|$)/g,
    secret: true,
  },
  { name: 'anthropic_key', type: 'anthropic_key', pattern: /\bsk-ant-[A-Za-z0-9_-]{16,}/g, secret: true },
  {
    name: 'openai_key',
    type: 'openai_key',
    pattern: /\bsk-(?!ant-)(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{20,}/g,
    secret: true,
  },
  { name: 'aws_access_key', type: 'aws_access_key', pattern: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, secret: true },
  {
    // A 40-character secret is only recognisable next to its name.
    name: 'aws_secret_key',
    type: 'aws_secret_key',
    pattern: /\b(?:aws_?)?secret_?(?:access_?)?key(?:_id)?["']?\s*[:=]\s*["']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/gi,
    group: 1,
    secret: true,
  },
  { name: 'google_api_key', type: 'google_api_key', pattern: /\bAIza[0-9A-Za-z_-]{30,}/g, secret: true },
  {
    name: 'jwt',
    type: 'jwt',
    pattern: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g,
    secret: true,
  },
  {
    // An opaque bearer token in a header or log line (JWTs are caught by name below as well).
    name: 'bearer_token',
    type: 'bearer_token',
    pattern: /\bBearer\s+([A-Za-z0-9._~+/-]{16,}=*)/g,
    group: 1,
    secret: true,
  },
  {
    name: 'url_key_param',
    type: 'api_key',
    pattern: /[?&](?:key|api_key|apikey|access_token|token)=([^&\s"'#]{8,})/gi,
    group: 1,
    secret: true,
  },
];

/** Personal-data rules, on unless `redact: false`. */
export const PERSONAL_RULES: RedactionRule[] = [
  { name: 'email', type: 'email', pattern: /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/g, secret: false },
  {
    name: 'credit_card',
    type: 'credit_card',
    pattern: /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g,
    validate: luhnValid,
    secret: false,
  },
  { name: 'ssn', type: 'ssn', pattern: /\b(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}\b/g, secret: false },
  {
    name: 'ipv4',
    type: 'ipv4',
    pattern: /(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\d.]*\d)/g,
    secret: false,
  },
  {
    // North American numbers (555-123-4567, (555) 123 4567, +1 555.123.4567) and international
    // numbers written with a leading + (+44 20 7946 0958).
    name: 'phone',
    type: 'phone',
    pattern:
      /(?<![\w+])(?:(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}|\+\d{1,3}(?:[\s.-]?\(?\d{1,4}\)?){2,5})(?![\w-])/g,
    validate: digitsBetween(10, 15),
    secret: false,
  },
];

export const BUILTIN_RULES: RedactionRule[] = [...SECRET_RULES, ...PERSONAL_RULES];

function replacement(type: string, value: string, strategy: Strategy): string {
  switch (strategy) {
    case 'label':
      return `[REDACTED:${type.toUpperCase()}]`;
    case 'mask':
      return '****';
    case 'partial': {
      const tail = value.replace(/\s/g, '');
      return tail.length > 8 ? `****${tail.slice(-4)}` : '****';
    }
  }
}

/**
 * True when the rule's pattern matches somewhere in the text. Most texts match no rule (every streamed
 * fragment, every event string is checked against every rule): test() answers that without the
 * replace() below — its callback closure and the string it builds — so a miss allocates nothing.
 */
function mayMatch(text: string, rule: RedactionRule): boolean {
  const re = rule.pattern;
  re.lastIndex = 0;
  const hit = re.test(text);
  re.lastIndex = 0;
  return hit;
}

/** Applies one rule; returns the new text and how many matches it replaced. */
export function applyRule(text: string, rule: RedactionRule, strategy: Strategy): { text: string; count: number } {
  return mayMatch(text, rule) ? replaceMatches(text, rule, strategy) : { text, count: 0 };
}

function replaceMatches(text: string, rule: RedactionRule, strategy: Strategy): { text: string; count: number } {
  let count = 0;
  const out = text.replace(rule.pattern, (match: string, ...rest: unknown[]) => {
    const target = rule.group ? rest[rule.group - 1] : match;
    if (typeof target !== 'string' || target === '') return match;
    if (rule.validate && !rule.validate(target)) return match;
    count++;
    const rep = replacement(rule.type, target, rule.strategy ?? strategy);
    return rule.group ? match.replace(target, rep) : rep;
  });
  return { text: out, count };
}

function applyRules(text: string, rules: RedactionRule[], strategy: Strategy, onHit?: (rule: RedactionRule, count: number) => void): string {
  let out = text;
  for (const rule of rules) {
    if (!mayMatch(out, rule)) continue;
    const r = replaceMatches(out, rule, strategy);
    if (r.count > 0) {
      out = r.text;
      onHit?.(rule, r.count);
    }
  }
  return out;
}

/**
 * Looser credential forms, caught in error text and logs only — never in stored content, where they
 * would hit ordinary text: short or test keys (sk-/pk-/rk- and 8+ characters), shorter Google keys and
 * bearer tokens, any key-like query parameter, and the user:password of a URL (undici's "URL that
 * includes credentials" error echoes the whole URL, e.g. a configured base URL).
 */
export const LOG_SECRET_RULES: RedactionRule[] = [
  { name: 'short_key', type: 'api_key', pattern: /\b(?:sk|pk|rk)-(?:ant-|proj-)?[A-Za-z0-9_-]{8,}/g, secret: true },
  { name: 'short_google_key', type: 'google_api_key', pattern: /\bAIza[0-9A-Za-z_-]{20,}/g, secret: true },
  { name: 'short_bearer', type: 'bearer_token', pattern: /\bBearer\s+([A-Za-z0-9._~+/=-]{8,})/gi, group: 1, secret: true },
  { name: 'query_credential', type: 'api_key', pattern: /[?&](?:key|api[_-]?key|apikey|token|access_token|auth)=(?!\[REDACTED:)([^&\s]+)/gi, group: 1, secret: true },
  { name: 'url_credentials', type: 'url_credentials', pattern: /\b[a-z][a-z0-9+.-]*:\/\/([^\s/?#@]+)@/gi, group: 1, secret: true },
];

/**
 * The one credential scrubber for logs, error messages, CLI output and notifications (not content:
 * a run's task and drafts go through its Redactor): SECRET_RULES, then LOG_SECRET_RULES, labelled
 * (`[REDACTED:OPENAI_KEY]`).
 */
export function redactSecrets(text: string): string {
  return applyRules(applyRules(text, SECRET_RULES, 'label'), LOG_SECRET_RULES, 'label');
}

// --- custom rules ---------------------------------------------------------------------------------
const PERSONAL_NAMES = PERSONAL_RULES.map((r) => r.name) as [string, ...string[]];

const CustomRuleSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9_]{1,64}$/, 'must be 1–64 characters of a-z, 0-9, _'),
    pattern: z.string().min(1, 'must not be empty').max(2000, 'is longer than 2,000 characters'),
    flags: z.string().regex(/^[imsu]*$/, 'may only contain the flags i, m, s, u').optional(),
    type: z.string().regex(/^[a-z0-9_]{1,64}$/, 'must be 1–64 characters of a-z, 0-9, _').optional(),
    strategy: z.enum(STRATEGIES).optional(),
  })
  .strict();

const RulesFileSchema = z
  .object({
    strategy: z.enum(STRATEGIES).optional(),
    disable_builtin: z.array(z.enum(PERSONAL_NAMES)).optional(),
    rules: z.array(CustomRuleSchema).max(200).optional(),
  })
  .strict();

export interface RulesFile {
  path: string;
  /** The file's text as read (stored in the artifact; replay uses it). */
  content: string;
  strategy: Strategy | null;
  disableBuiltin: string[];
  rules: RedactionRule[];
}

function rulesError(path: string, where: string, message: string, cause?: unknown): DjpError {
  return new DjpError('invalid', `redaction_rules: ${path}: ${where ? `${where}: ` : ''}${message}`, 'redaction_rules', { cause });
}

/** Parses a custom rules file's contents; errors name the offending field. */
export function parseRulesFile(path: string, content: string): RulesFile {
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch (e) {
    throw rulesError(path, '', `not valid JSON (${(e as Error).message})`, e);
  }
  const data = parseOrInvalid(RulesFileSchema, json, { field: 'redaction_rules', label: `redaction_rules: ${path}`, indexes: 'brackets' });
  const seen = new Set<string>(BUILTIN_RULES.map((r) => r.name));
  const rules = (data.rules ?? []).map((r, i): RedactionRule => {
    if (seen.has(r.name)) throw rulesError(path, `rules[${i}].name`, `duplicate rule name "${r.name}"`);
    seen.add(r.name);
    let pattern: RegExp;
    try {
      pattern = new RegExp(r.pattern, `g${r.flags ?? ''}`);
    } catch (e) {
      throw rulesError(path, `rules[${i}].pattern`, `invalid regular expression (${(e as Error).message})`, e);
    }
    if (pattern.test('')) throw rulesError(path, `rules[${i}].pattern`, 'matches the empty string');
    return { name: r.name, type: r.type ?? r.name, pattern, ...(r.strategy ? { strategy: r.strategy } : {}), secret: false };
  });
  return { path, content, strategy: data.strategy ?? null, disableBuiltin: data.disable_builtin ?? [], rules };
}

export async function loadRulesFile(path: string): Promise<RulesFile> {
  let content: string;
  try {
    content = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw rulesError(path, '', code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? (e as Error).message})`, e);
  }
  return parseRulesFile(path, content);
}

// --- the redactor ---------------------------------------------------------------------------------
export interface RedactorOptions {
  /** false: personal-data and custom rules off; secret rules still apply. */
  enabled: boolean;
  rules?: RulesFile | null;
  strategy?: Strategy;
}

export interface Redactor {
  readonly enabled: boolean;
  readonly rulesFile: string | null;
  /** Redacts text and records one event per rule that hit, under `where` (task, draft:d1, log …). */
  redact(text: string, where: string): string;
  /** Same rules, no event recorded (log lines, streamed fragments). */
  scrub(text: string): string;
  /** The rules applied, in order (the stream redactor holds back only what they could still match). */
  readonly rules: readonly RedactionRule[];
  events(): RedactionEvent[];
}

export function createRedactor(opts: RedactorOptions): Redactor {
  const custom = opts.rules ?? null;
  const strategy: Strategy = opts.strategy ?? custom?.strategy ?? 'label';
  const disabled = new Set(custom?.disableBuiltin ?? []);
  const rules = opts.enabled
    ? [...SECRET_RULES, ...PERSONAL_RULES.filter((r) => !disabled.has(r.name)), ...(custom?.rules ?? [])]
    : SECRET_RULES;
  const tally = new Map<string, RedactionEvent>();
  return {
    enabled: opts.enabled,
    rulesFile: custom?.path ?? null,
    redact(text, where) {
      if (!text) return text;
      return applyRules(text, rules, strategy, (rule, count) => {
        const key = `${rule.type}\u0000${rule.name}\u0000${where}`;
        const ev = tally.get(key);
        if (ev) ev.count += count;
        else tally.set(key, { type: rule.type, rule: rule.name, count, where });
      });
    },
    scrub: (text) => (text ? applyRules(text, rules, strategy) : text),
    rules,
    events: () => [...tally.values()].map((e) => ({ ...e })),
  };
}
