import { describe, expect, it } from 'vitest';
import { BLOCKING_FLAGS, checkContent, findQuoteSpans } from './content-checks.js';

const draft = (answer: string, extra: { evidence?: string[]; safety_flags?: string[] } = {}) => ({
  answer,
  evidence: extra.evidence ?? [],
  safety_flags: extra.safety_flags ?? [],
});
const opts = { requireCitations: 0 };
const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(' ');

describe('content checks', () => {
  it('passes a plain answer', () => {
    const v = checkContent(draft('Tides are caused mainly by the Moon.'), opts);
    expect(v).toEqual({ passed: true, failures: [], disqualify: false });
  });

  it('fails an empty or whitespace-only answer', () => {
    for (const a of ['', '   \n\t']) {
      const v = checkContent(draft(a), opts);
      expect(v.passed).toBe(false);
      expect(v.failures.map((f) => f.check)).toEqual(['empty']);
      expect(v.disqualify).toBe(false);
    }
  });

  it.each(BLOCKING_FLAGS)('fails on the blocking safety flag %s', (flag) => {
    const v = checkContent(draft('An answer.', { safety_flags: [flag] }), opts);
    expect(v.passed).toBe(false);
    expect(v.failures).toEqual([{ check: 'safety_flags', detail: `blocking safety flag: ${flag}` }]);
  });

  it('normalises flag spelling and ignores non-blocking flags', () => {
    expect(checkContent(draft('x', { safety_flags: ['Hate Speech'] }), opts).failures[0]?.detail).toContain('hate_speech');
    expect(checkContent(draft('x', { safety_flags: ['medical_advice', 'none'] }), opts).passed).toBe(true);
  });

  it('finds quoted, fenced and block-quote spans', () => {
    const text = 'He said "hello there" today.\n\n```js\nconst a = 1;\n```\n\n> quoted line one\n> line two\n\nafter';
    const kinds = findQuoteSpans(text).map((s) => [s.kind, s.text]);
    expect(kinds).toEqual([
      ['fenced', 'const a = 1;'],
      ['quoted', 'hello there'],
      ['blockquote', 'quoted line one\nline two'],
    ]);
  });

  it.each([
    ['double-quoted', (w: string) => `The report says "${w}" and more.`],
    ['curly-quoted', (w: string) => `The report says “${w}” and more.`],
    ['fenced', (w: string) => `Here:\n\`\`\`\n${w}\n\`\`\`\nend`],
    ['block-quote', (w: string) => `Intro\n> ${w.split(' ').slice(0, 40).join(' ')}\n> ${w.split(' ').slice(40).join(' ')}\n\nOutro`],
  ])('fails a long %s verbatim quote (≥ 100 chars and ≥ 75 words)', (_kind, wrap) => {
    const v = checkContent(draft(wrap(words(80))), opts);
    expect(v.passed).toBe(false);
    expect(v.failures[0]?.check).toBe('long_quote');
    expect(v.failures[0]?.detail).toMatch(/80 words/);
  });

  it('allows quotes below either threshold', () => {
    // 74 words, well over 100 characters: under the word limit
    expect(checkContent(draft(`"${words(74)}"`), opts).passed).toBe(true);
    // 80 one-letter words = 159 chars ≥ 100 → fails; 60 words of 'a' → 119 chars but < 75 words → passes
    expect(checkContent(draft(`"${Array(80).fill('a').join(' ')}"`), opts).passed).toBe(false);
    expect(checkContent(draft(`"${Array(60).fill('a').join(' ')}"`), opts).passed).toBe(true);
    // 80 words unquoted is fine
    expect(checkContent(draft(words(80)), opts).passed).toBe(true);
  });

  it.each([
    "I'm sorry, but I can't help with that request.",
    'I cannot assist with creating malware.',
    'As an AI language model, I cannot provide legal advice.',
    'I must decline to answer this.',
    "I'm not able to help with that.",
    'I won’t comply'.replace('’', "'") + ' with this request.',
  ])('fails a refusal: %s', (answer) => {
    const v = checkContent(draft(answer), opts);
    expect(v.failures.map((f) => f.check)).toContain('refusal');
  });

  it('does not flag answers that merely mention being unable later on', () => {
    const long = `${words(70)} Some users say "I cannot help with that" when asked.`;
    expect(checkContent(draft(long), opts).failures.map((f) => f.check)).not.toContain('refusal');
    expect(checkContent(draft('You cannot help but admire the design.'), opts).passed).toBe(true);
    expect(checkContent(draft("I can't help but notice the tide tables are wrong."), opts).passed).toBe(true);
  });

  it('require_citations: fewer evidence items → failure and disqualification', () => {
    const v = checkContent(draft('Answer', { evidence: ['source one', '  '] }), { requireCitations: 2 });
    expect(v.passed).toBe(false);
    expect(v.disqualify).toBe(true);
    expect(v.failures).toEqual([{ check: 'require_citations', detail: '1 evidence item, 2 required (scored 0, disqualified)' }]);
    const ok = checkContent(draft('Answer', { evidence: ['a', 'b'] }), { requireCitations: 2 });
    expect(ok).toEqual({ passed: true, failures: [], disqualify: false });
  });

  it('reports every failing check at once', () => {
    const v = checkContent(draft('', { safety_flags: ['violence'] }), { requireCitations: 1 });
    expect(v.failures.map((f) => f.check)).toEqual(['empty', 'safety_flags', 'require_citations']);
  });
});
