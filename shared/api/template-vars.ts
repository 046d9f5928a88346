// Input values: checking and coercing what a user gives (CLI --var strings, JSON from an API or a
// vars file, a form) against a template's typed inputs. Every error names the variable. Browser-safe:
// the UI's template form checks each field with the same code the service runs.
import { DjpError } from './errors.js';
import { DATE_RE, type Template, type TemplateInput, type VarValue } from './template.js';

export type VarResult = { ok: true; value: VarValue } | { ok: false; message: string };

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const TRUE = ['true', 'yes', 'on', '1'];
const FALSE = ['false', 'no', 'off', '0'];

const show = (v: unknown): string => {
  const s = typeof v === 'string' ? JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v) : JSON.stringify(v);
  return s ?? String(v);
};

export function isCalendarDate(s: string): boolean {
  if (!DATE_RE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** The pattern as a whole-value match (like an HTML form's pattern attribute). */
export function patternRegex(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`, 'u');
}

/** The value an unset optional input renders as (Liquid's nil/empty, so `{% if x %}` is false). */
export function emptyValue(input: TemplateInput): VarValue {
  switch (input.type) {
    case 'bool':
      return false;
    case 'multiselect':
      return [];
    case 'int':
    case 'float':
    case 'date':
      return null;
    default:
      return '';
  }
}

const isMissing = (raw: unknown): boolean => raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '') || (Array.isArray(raw) && raw.length === 0);

/** Checks one present value (not missing) against its input; coerces strings for typed inputs. */
export function checkValue(input: TemplateInput, raw: unknown): VarResult {
  const fail = (message: string): VarResult => ({ ok: false, message });
  switch (input.type) {
    case 'string':
    case 'text': {
      if (typeof raw !== 'string') return fail(`must be text (got ${show(raw)})`);
      if (input.type === 'string' && /[\r\n]/.test(raw)) return fail('must be a single line (use a text input for several lines)');
      const len = [...raw].length;
      if (input.min !== undefined && len < input.min) return fail(`must be at least ${input.min} characters (got ${len})`);
      if (input.max !== undefined && len > input.max) return fail(`must be at most ${input.max} characters (got ${len})`);
      if (input.pattern !== undefined && !patternRegex(input.pattern).test(raw)) return fail(`must match the pattern ${input.pattern} (got ${show(raw)})`);
      return { ok: true, value: raw };
    }
    case 'int':
    case 'float': {
      let n: number;
      if (typeof raw === 'number') n = raw;
      else if (typeof raw === 'string' && raw.trim() !== '' && (input.type === 'int' ? /^[+-]?\d+$/ : /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i).test(raw.trim())) n = Number(raw.trim());
      else return fail(`must be ${input.type === 'int' ? 'a whole number' : 'a number'} (got ${show(raw)})`);
      if (!Number.isFinite(n)) return fail(`must be a finite number (got ${show(raw)})`);
      if (input.type === 'int' && !Number.isInteger(n)) return fail(`must be a whole number (got ${show(raw)})`);
      if (input.min !== undefined && n < input.min) return fail(`must be at least ${input.min} (got ${n})`);
      if (input.max !== undefined && n > input.max) return fail(`must be at most ${input.max} (got ${n})`);
      return { ok: true, value: n };
    }
    case 'bool': {
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      const s = typeof raw === 'string' ? raw.trim().toLowerCase() : null;
      if (s !== null && TRUE.includes(s)) return { ok: true, value: true };
      if (s !== null && FALSE.includes(s)) return { ok: true, value: false };
      return fail(`must be true or false (got ${show(raw)})`);
    }
    case 'enum': {
      if (typeof raw !== 'string' || !input.options.includes(raw)) return fail(`must be one of ${input.options.join(', ')} (got ${show(raw)})`);
      return { ok: true, value: raw };
    }
    case 'multiselect': {
      const list = typeof raw === 'string' ? raw.split(',').map((s) => s.trim()).filter(Boolean) : raw;
      if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) return fail(`must be a list of options (got ${show(raw)})`);
      const bad = list.find((x) => !input.options.includes(x));
      if (bad !== undefined) return fail(`${show(bad)} is not an option (options: ${input.options.join(', ')})`);
      if (new Set(list).size !== list.length) return fail('lists an option twice');
      if (input.min !== undefined && list.length < input.min) return fail(`choose at least ${input.min} (got ${list.length})`);
      if (input.max !== undefined && list.length > input.max) return fail(`choose at most ${input.max} (got ${list.length})`);
      return { ok: true, value: list as string[] };
    }
    case 'date': {
      if (typeof raw !== 'string' || !isCalendarDate(raw.trim())) return fail(`must be a date YYYY-MM-DD (got ${show(raw)})`);
      const d = raw.trim();
      if (input.min !== undefined && d < input.min) return fail(`must be on or after ${input.min} (got ${d})`);
      if (input.max !== undefined && d > input.max) return fail(`must be on or before ${input.max} (got ${d})`);
      return { ok: true, value: d };
    }
    case 'email': {
      if (typeof raw !== 'string' || !EMAIL_RE.test(raw.trim())) return fail(`must be an e-mail address (got ${show(raw)})`);
      return { ok: true, value: raw.trim() };
    }
    case 'url': {
      if (typeof raw !== 'string') return fail(`must be an http(s) URL (got ${show(raw)})`);
      let u: URL;
      try {
        u = new URL(raw.trim());
      } catch {
        return fail(`must be an http(s) URL (got ${show(raw)})`);
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') return fail(`must be an http(s) URL (got ${show(raw)})`);
      return { ok: true, value: raw.trim() };
    }
  }
}

export interface VarIssue {
  /** The variable's name ("audience"); the field is vars.<name>. */
  name: string;
  message: string;
}

/** Checks every variable; returns the full scope (defaults and empty values filled) or every issue. */
export function checkVars(template: Pick<Template, 'id' | 'inputs'>, raw: Record<string, unknown>): { vars: Record<string, VarValue>; issues: VarIssue[] } {
  const issues: VarIssue[] = [];
  const vars: Record<string, VarValue> = {};
  const known = new Set(template.inputs.map((i) => i.name));
  for (const name of Object.keys(raw)) {
    if (!known.has(name)) issues.push({ name, message: `${template.id} has no input "${name}" (inputs: ${[...known].join(', ') || 'none'})` });
  }
  for (const input of template.inputs) {
    const value = Object.hasOwn(raw, input.name) ? raw[input.name] : undefined;
    if (isMissing(value)) {
      if (input.default !== undefined) vars[input.name] = input.default;
      else if (input.required) issues.push({ name: input.name, message: `is required${input.help ? ` (${input.help})` : ''}` });
      else vars[input.name] = emptyValue(input);
      continue;
    }
    const r = checkValue(input, value);
    if (r.ok) vars[input.name] = r.value;
    else issues.push({ name: input.name, message: r.message });
  }
  return { vars, issues };
}

/** checkVars, throwing DjpError('invalid') naming the first bad variable (and counting the rest). */
export function resolveVars(template: Pick<Template, 'id' | 'inputs'>, raw: Record<string, unknown>): Record<string, VarValue> {
  const { vars, issues } = checkVars(template, raw);
  const first = issues[0];
  if (first) {
    const more = issues.length > 1 ? `; ${issues.slice(1).map((i) => `vars.${i.name}: ${i.message}`).join('; ')}` : '';
    throw new DjpError('invalid', `vars.${first.name}: ${first.message}${more}`, `vars.${first.name}`);
  }
  return vars;
}
