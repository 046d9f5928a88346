import { describe, expect, it } from 'vitest';
import { href, parseHash } from '../router.js';
import { formatMs, formatUsd, publishSource, truncate } from './format.js';

describe('formatting', () => {
  it('money: unknown is "unpriced", never $0', () => {
    expect(formatUsd(null)).toBe('unpriced');
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(0.00042)).toBe('$0.0004');
    expect(formatUsd(1.5)).toBe('$1.50');
  });
  it('durations and truncation', () => {
    expect(formatMs(null)).toBe('—');
    expect(formatMs(250.4)).toBe('250 ms');
    expect(formatMs(1530)).toBe('1.5 s');
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
  });
});

describe('hash routes', () => {
  it('parses path and query, defaulting to /', () => {
    expect(parseHash('').path).toBe('/');
    const r = parseHash('#/history?q=a%20b&status=published');
    expect(r.path).toBe('/history');
    expect(r.params.get('q')).toBe('a b');
    expect(r.params.get('status')).toBe('published');
    expect(parseHash('#runs/X').path).toBe('/runs/X');
  });
  it('builds links without empty parameters', () => {
    expect(href('/compare', { a: '1:d1', b: undefined })).toBe('#/compare?a=1%3Ad1');
    expect(href('/')).toBe('#/');
  });
});

describe('where the published text came from', () => {
  it('names the winning draft, or the chairman and the drafts a synthesis drew on', () => {
    expect(publishSource({ draft_id: 'd2', provider: 'openai', model: 'gpt-5.4' })).toBe('winner d2 (openai/gpt-5.4)');
    expect(publishSource({ draft_id: null, provider: 'anthropic', model: 'claude-opus-4-6', synthesized: true }, ['d1', 'd2'])).toBe('synthesized by anthropic/claude-opus-4-6 from d1, d2');
    expect(publishSource({ draft_id: null, provider: 'anthropic', model: 'claude-opus-4-6', synthesized: true })).toBe('synthesized by anthropic/claude-opus-4-6');
    expect(publishSource({ draft_id: null, provider: null, model: null })).toBeNull();
  });
});
