import { describe, expect, it } from 'vitest';
import { isDjpError } from '../api/index.js';
import { checkTemplate, parseTemplateText, renderTemplate, resolveVars } from './index.js';

const base = {
  id: 'greeting',
  title: 'Greeting',
  inputs: [
    { name: 'who', type: 'string', required: true, pattern: '[A-Z][a-z]+' },
    { name: 'count', type: 'int', min: 1, max: 5, default: 2 },
    { name: 'tone', type: 'enum', options: ['warm', 'dry'], default: 'warm' },
    { name: 'topics', type: 'multiselect', options: ['a', 'b', 'c'] },
    { name: 'when', type: 'date' },
    { name: 'formal', type: 'bool' },
  ],
  body: 'Greet {{ who }} {{ count }} times, {{ tone }}.{% if topics.size > 0 %} Topics: {{ topics | join: ", " }}.{% endif %}{% if when %} On {{ when }}.{% endif %}{% if formal %} Formally.{% endif %}',
};

function issuesOf(doc: unknown) {
  return checkTemplate(doc).issues;
}

describe('template schema', () => {
  it('accepts a valid template and fills defaults', () => {
    const r = checkTemplate(base);
    expect(r.issues).toEqual([]);
    expect(r.template?.version).toBe(1);
    expect(r.template?.tags).toEqual([]);
  });

  it('names the field path of a bad pattern, a bad type and an unknown field', () => {
    const doc = structuredClone(base) as Record<string, unknown> & { inputs: Record<string, unknown>[] };
    doc.inputs[2] = { name: 'tone', type: 'string', pattern: '([a-z' };
    expect(issuesOf(doc)).toEqual([expect.objectContaining({ path: 'inputs[2].pattern' })]);
    const d2 = structuredClone(base) as typeof doc;
    d2.inputs[1] = { name: 'count', type: 'integer' };
    expect(issuesOf(d2)[0]?.path).toBe('inputs[1].type');
    const d3 = structuredClone(base) as typeof doc;
    d3.inputs[0] = { ...d3.inputs[0], patern: 'x' };
    expect(issuesOf(d3)).toEqual([{ path: 'inputs[0].patern', message: 'unknown field' }]);
    expect(issuesOf({ ...base, defaults: { max_tokens: -1 } })[0]?.path).toBe('defaults.max_tokens');
    expect(issuesOf({ ...base, id: 'Bad Id' })[0]?.path).toBe('id');
  });

  it('rejects contradictory constraints and defaults that break their input', () => {
    const doc = structuredClone(base) as Record<string, unknown> & { inputs: Record<string, unknown>[] };
    doc.inputs[1] = { name: 'count', type: 'int', min: 5, max: 1 };
    doc.inputs[2] = { name: 'tone', type: 'enum', options: ['warm', 'dry'], default: 'loud' };
    doc.inputs.push({ name: 'who', type: 'string' });
    const paths = issuesOf(doc).map((i) => i.path);
    expect(paths).toEqual(['inputs[1].min', 'inputs[2].default', 'inputs[6].name']);
  });

  it('a body reading an undefined variable fails validation, even in an untaken branch', () => {
    const issues = issuesOf({ ...base, body: '{{ who }}{% if false %}{{ secret_thing }}{% endif %}' });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: 'body' });
    expect(issues[0]?.message).toContain('"secret_thing"');
    // Loop variables and assigns are local, not inputs.
    expect(issuesOf({ ...base, body: '{% assign n = count | plus: 1 %}{% for t in topics %}{{ t }}{{ forloop.index }}{% endfor %}{{ n }} {{ who }}' })).toEqual([]);
  });

  it('unknown filters, syntax errors and file tags are errors naming the body', () => {
    expect(issuesOf({ ...base, body: '{{ who | shout }}' })[0]?.message).toMatch(/undefined filter: shout/);
    expect(issuesOf({ ...base, body: '{% if who %}open' })[0]?.message).toMatch(/not closed.*line 1/);
    for (const tag of ['include "x"', 'render "x"', 'layout "x"']) {
      const [issue] = issuesOf({ ...base, body: `{{ who }}{% ${tag} %}` });
      expect(issue?.path).toBe('body');
      expect(issue?.message).toMatch(/not allowed: templates cannot read files/);
    }
  });

  it('a property read that cannot work on the sample value fails validation', () => {
    const [issue] = issuesOf({ ...base, body: '{{ who.first_name }}' });
    expect(issue?.path).toBe('body');
    expect(issue?.message).toMatch(/undefined variable/);
  });

  it('parses YAML and reports syntax errors with a line', () => {
    const t = parseTemplateText('id: y1\ntitle: Y\ninputs:\n  - name: a\n    type: text\n    required: true\nbody: "Say {{ a }}"\n');
    expect(t.inputs[0]?.type).toBe('text');
    expect(() => parseTemplateText('id: y1\ntitle: [unclosed\n')).toThrow(/line \d+/);
    expect(() => parseTemplateText('{"id": "j1", "title": "J", "body": "{{ nope }}"}')).toThrow(/body: reads the undefined variable "nope"/);
  });
});

describe('variables and rendering', () => {
  const t = parseTemplateText(JSON.stringify(base));

  it('renders with defaults and coerces CLI strings', () => {
    const r = renderTemplate(t, { who: 'Ada', count: '3', topics: 'a,c', formal: 'yes', when: '2026-03-01' });
    expect(r.task).toBe('Greet Ada 3 times, warm. Topics: a, c. On 2026-03-01. Formally.');
    expect(r.vars).toEqual({ who: 'Ada', count: 3, tone: 'warm', topics: ['a', 'c'], when: '2026-03-01', formal: true });
    expect(renderTemplate(t, { who: 'Bo' }).task).toBe('Greet Bo 2 times, warm.');
  });

  function fieldOf(vars: Record<string, unknown>): string | undefined {
    try {
      resolveVars(t, vars);
    } catch (e) {
      if (isDjpError(e)) return `${e.field} | ${e.message}`;
      throw e;
    }
    return undefined;
  }

  it('missing, wrong-typed, out-of-range and unknown variables name the variable', () => {
    expect(fieldOf({})).toMatch(/^vars\.who \| vars\.who: is required/);
    expect(fieldOf({ who: 'ada' })).toMatch(/^vars\.who \| .*must match the pattern/);
    expect(fieldOf({ who: 'Ada', count: 'three' })).toMatch(/^vars\.count \| .*whole number \(got "three"\)/);
    expect(fieldOf({ who: 'Ada', count: 9 })).toMatch(/^vars\.count \| .*at most 5/);
    expect(fieldOf({ who: 'Ada', count: 2.5 })).toMatch(/^vars\.count/);
    expect(fieldOf({ who: 'Ada', tone: 'loud' })).toMatch(/^vars\.tone \| .*one of warm, dry/);
    expect(fieldOf({ who: 'Ada', topics: ['a', 'z'] })).toMatch(/^vars\.topics \| .*"z" is not an option/);
    expect(fieldOf({ who: 'Ada', when: '2026-02-30' })).toMatch(/^vars\.when \| .*YYYY-MM-DD/);
    expect(fieldOf({ who: 'Ada', formal: 'maybe' })).toMatch(/^vars\.formal \| .*true or false/);
    expect(fieldOf({ who: 'Ada', colour: 'red' })).toMatch(/^vars\.colour \| .*has no input "colour"/);
    expect(fieldOf({ who: 'Ada' })).toBeUndefined();
  });

  it('e-mail and url inputs', () => {
    const t2 = parseTemplateText(JSON.stringify({ id: 'm', title: 'M', inputs: [{ name: 'e', type: 'email', required: true }, { name: 'u', type: 'url', required: true }], body: '{{ e }} {{ u }}' }));
    expect(renderTemplate(t2, { e: 'a@b.io', u: 'https://x.io/p' }).task).toBe('a@b.io https://x.io/p');
    expect(() => renderTemplate(t2, { e: 'nope', u: 'https://x.io' })).toThrow(/vars\.e: must be an e-mail/);
    expect(() => renderTemplate(t2, { e: 'a@b.io', u: 'file:///etc/passwd' })).toThrow(/vars\.u: must be an http\(s\) URL/);
  });

  it('a runaway loop is stopped by the render limit', () => {
    const t3 = parseTemplateText(JSON.stringify({ id: 'loop', title: 'L', inputs: [{ name: 'n', type: 'int', default: 1 }], body: '{{ n }}' }));
    const big = { ...t3, body: '{% for i in (1..100000000) %}{{ i }}{% endfor %}' };
    expect(() => renderTemplate(big, {})).toThrow(/failed to render/);
  });
});
