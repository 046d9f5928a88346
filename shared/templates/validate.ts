// Template validation: the zod structure (shared/api/template.ts), then what zod cannot see — input
// constraints that contradict each other, defaults that break their own input, a body that does not
// parse, uses a file tag, or reads a variable that is not an input. Every issue names its field path
// the way a person reads it: inputs[2].pattern, defaults.max_tokens, body.
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { DjpError, Template, type TemplateInput, type VarValue } from '../api/index.js';
import { BodyError, parseBody, renderBody, type ParsedBody } from './engine.js';
import { checkValue, checkVars, emptyValue, isCalendarDate } from './vars.js';

export interface TemplateIssue {
  /** inputs[2].pattern, body, tags[0] … ("" for the document itself). */
  path: string;
  message: string;
}

/** ['inputs', 2, 'pattern'] → "inputs[2].pattern". */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

type ZodIssueLike = { path: PropertyKey[]; message: string; code?: string; keys?: string[]; options?: unknown[]; discriminator?: string };

function zodIssues(issues: ReadonlyArray<ZodIssueLike>): TemplateIssue[] {
  return issues.flatMap((i): TemplateIssue[] => {
    if (i.code === 'unrecognized_keys' && i.keys?.length) return i.keys.map((k) => ({ path: formatPath([...i.path, k]), message: 'unknown field' }));
    if (i.code === 'invalid_union' && i.path.length && i.path[i.path.length - 1] !== 'type' && i.discriminator === 'type') {
      return [{ path: formatPath([...i.path, 'type']), message: `must be one of string, text, int, float, bool, enum, multiselect, date, email, url` }];
    }
    return [{ path: formatPath(i.path), message: i.message }];
  });
}

/** A value that satisfies the input, for the validation render (defaults first). */
function sampleValue(input: TemplateInput): VarValue {
  if (input.default !== undefined) return input.default;
  switch (input.type) {
    case 'string':
    case 'text':
      return 'x'.repeat(Math.max(input.min ?? 0, 7)).slice(0, input.max ?? 7);
    case 'int':
      return input.min ?? Math.min(1, input.max ?? 1);
    case 'float':
      return input.min ?? Math.min(1.5, input.max ?? 1.5);
    case 'bool':
      return true;
    case 'enum':
      return input.options[0] ?? '';
    case 'multiselect':
      return input.options.slice(0, Math.max(1, input.min ?? 1));
    case 'date':
      return input.min ?? input.max ?? '2026-01-15';
    case 'email':
      return 'someone@example.com';
    case 'url':
      return 'https://example.com/page';
  }
}

function inputIssues(inputs: TemplateInput[]): TemplateIssue[] {
  const out: TemplateIssue[] = [];
  const seen = new Map<string, number>();
  inputs.forEach((input, i) => {
    const at = (field: string) => formatPath(['inputs', i, field]);
    const prev = seen.get(input.name);
    if (prev !== undefined) out.push({ path: at('name'), message: `duplicate input name "${input.name}" (also inputs[${prev}])` });
    else seen.set(input.name, i);
    if ('min' in input && 'max' in input && input.min !== undefined && input.max !== undefined && input.min > input.max) {
      out.push({ path: at('min'), message: `min (${input.min}) is greater than max (${input.max})` });
    }
    if ((input.type === 'string' || input.type === 'text') && input.pattern !== undefined) {
      try {
        new RegExp(input.pattern, 'u');
      } catch (e) {
        out.push({ path: at('pattern'), message: `not a valid regular expression: ${(e as Error).message}` });
        return; // the default cannot be checked against it
      }
    }
    if (input.type === 'date') {
      for (const f of ['min', 'max'] as const) if (input[f] !== undefined && !isCalendarDate(input[f])) out.push({ path: at(f), message: `not a calendar date (${input[f]})` });
    }
    if (input.type === 'enum' || input.type === 'multiselect') {
      const dup = input.options.find((o, j) => input.options.indexOf(o) !== j);
      if (dup !== undefined) out.push({ path: at('options'), message: `lists "${dup}" twice` });
      if (input.type === 'multiselect' && input.min !== undefined && input.min > input.options.length) out.push({ path: at('min'), message: `min (${input.min}) is more than the ${input.options.length} options` });
    }
    if (input.default !== undefined) {
      const r = checkValue(input, input.default);
      if (!r.ok) out.push({ path: at('default'), message: r.message });
    }
  });
  return out;
}

function bodyIssue(e: unknown): TemplateIssue {
  if (e instanceof BodyError) return { path: 'body', message: `${e.message}${e.line !== null ? ` (line ${e.line}, column ${e.col})` : ''}` };
  return { path: 'body', message: e instanceof Error ? e.message : String(e) };
}

function bodyIssues(t: Template): { issues: TemplateIssue[]; warnings: string[] } {
  let parsed: ParsedBody;
  try {
    parsed = parseBody(t.body);
  } catch (e) {
    return { issues: [bodyIssue(e)], warnings: [] };
  }
  const names = new Set(t.inputs.map((i) => i.name));
  const undeclared = parsed.variables.filter((v) => !names.has(v));
  if (undeclared.length) {
    return {
      issues: undeclared.map((v) => ({ path: 'body', message: `reads the undefined variable "${v}" — declare it under inputs (inputs: ${[...names].join(', ') || 'none'})` })),
      warnings: [],
    };
  }
  const warnings = t.inputs.filter((i) => !parsed.variables.includes(i.name)).map((i) => `input "${i.name}" is not used in the body`);
  // Render twice: every input given, then only the required ones (optional inputs empty), so a body
  // that fails on a real value (a filter on the wrong type) fails here rather than at run time.
  const full = Object.fromEntries(t.inputs.map((i) => [i.name, sampleValue(i)]));
  const minimal = Object.fromEntries(t.inputs.map((i) => [i.name, i.required || i.default !== undefined ? sampleValue(i) : emptyValue(i)]));
  for (const scope of [full, minimal]) {
    try {
      const text = renderBody(parsed, scope);
      if (text.trim() === '') return { issues: [{ path: 'body', message: 'renders to an empty task' }], warnings };
    } catch (e) {
      return { issues: [bodyIssue(e)], warnings };
    }
  }
  return { issues: [], warnings };
}

export interface CheckResult {
  template: Template | null;
  issues: TemplateIssue[];
  warnings: string[];
}

/** Every issue of a template document (already parsed from YAML/JSON). */
export function checkTemplate(value: unknown): CheckResult {
  const r = Template.safeParse(value);
  if (!r.success) return { template: null, issues: zodIssues(r.error.issues as unknown as ZodIssueLike[]), warnings: [] };
  const t = r.data;
  const issues = inputIssues(t.inputs);
  const body = bodyIssues(t);
  issues.push(...body.issues);
  if (t.example && issues.length === 0) {
    for (const v of checkVars(t, t.example).issues) issues.push({ path: formatPath(['example', v.name]), message: v.message });
  }
  return { template: issues.length ? null : t, issues, warnings: body.warnings };
}

/** The issues as one DjpError('invalid'): the first names the field, the message lists them all. */
export function invalidTemplate(issues: TemplateIssue[], what = 'template'): DjpError {
  const text = issues.slice(0, 10).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
  const more = issues.length > 10 ? `; and ${issues.length - 10} more` : '';
  return new DjpError('invalid', `${what} is invalid: ${text.join('; ')}${more}`, issues[0]?.path || undefined);
}

export function parseTemplate(value: unknown, what = 'template'): Template {
  const r = checkTemplate(value);
  if (!r.template) throw invalidTemplate(r.issues, what);
  return r.template;
}

/** Parses YAML or JSON text (JSON is YAML) into a document; syntax errors name the line. */
export function parseTemplateDocument(text: string, what = 'template'): unknown {
  try {
    return parseYaml(text, { prettyErrors: true, maxAliasCount: 100, uniqueKeys: true });
  } catch (e) {
    if (e instanceof YAMLParseError) {
      const pos = e.linePos?.[0];
      throw new DjpError('invalid', `${what} is not valid YAML or JSON${pos ? ` (line ${pos.line}, column ${pos.col})` : ''}: ${e.message.split('\n')[0]}`);
    }
    throw new DjpError('invalid', `${what} is not valid YAML or JSON: ${(e as Error).message}`);
  }
}

/** Text (YAML or JSON) → a checked Template. */
export function parseTemplateText(text: string, what = 'template'): Template {
  return parseTemplate(parseTemplateDocument(text, what), what);
}
