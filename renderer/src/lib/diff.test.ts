import { describe, expect, it } from 'vitest';
import { diffStats, diffWords, tokenize, type DiffOp } from './diff.js';

const side = (ops: DiffOp[], keep: 'delete' | 'insert') =>
  ops.filter((o) => o.type === 'equal' || o.type === keep).map((o) => o.text).join('');
const words = (s: string) => s.split(/\s+/).filter(Boolean);

describe('diffWords', () => {
  it('marks a replaced word as delete + insert and keeps the rest equal', () => {
    const ops = diffWords('the quick brown fox', 'the slow brown fox');
    expect(ops).toEqual([
      { type: 'equal', text: 'the ' },
      { type: 'delete', text: 'quick ' },
      { type: 'insert', text: 'slow ' },
      { type: 'equal', text: 'brown fox' },
    ]);
  });

  it('identical texts are one equal op; empty vs text is one insert', () => {
    expect(diffWords('a b c', 'a b c')).toEqual([{ type: 'equal', text: 'a b c' }]);
    expect(diffWords('', 'new words')).toEqual([{ type: 'insert', text: 'new words' }]);
    expect(diffWords('old', '')).toEqual([{ type: 'delete', text: 'old' }]);
    expect(diffWords('', '')).toEqual([]);
  });

  it('ignores whitespace-only differences between words', () => {
    const ops = diffWords('one two\nthree', 'one  two three');
    expect(ops.every((o) => o.type === 'equal')).toBe(true);
  });

  it('finds a longest common subsequence, not just a prefix/suffix match', () => {
    const a = 'A B C D E F G';
    const b = 'B X C D Y F G Z';
    const ops = diffWords(a, b);
    const kept = ops.filter((o) => o.type === 'equal').flatMap((o) => words(o.text));
    expect(kept).toEqual(['B', 'C', 'D', 'F', 'G']); // LCS length 5
    expect(diffStats(ops)).toEqual({ equal: 5, delete: 2, insert: 3 });
  });

  it('each side reconstructs its own text word for word', () => {
    const a = 'Use retries with jitter. Cap the backoff at 30 seconds and log each attempt.';
    const b = 'Use retries with exponential backoff and jitter; cap it at 30 s and log attempts.';
    const ops = diffWords(a, b);
    expect(words(side(ops, 'delete'))).toEqual(words(a));
    expect(words(side(ops, 'insert'))).toEqual(words(b));
  });

  it('handles texts too large for the table by replacing the differing middle', () => {
    const a = Array.from({ length: 2500 }, (_, i) => `a${i}`).join(' ');
    const b = Array.from({ length: 2500 }, (_, i) => `b${i}`).join(' ');
    const ops = diffWords(`same ${a} end`, `same ${b} end`);
    expect(ops.map((o) => o.type)).toEqual(['equal', 'delete', 'insert', 'equal']);
  });

  it('tokenize keeps leading whitespace on the first token', () => {
    expect(tokenize('  hi there ')).toEqual([
      { word: 'hi', text: '  hi ' },
      { word: 'there', text: 'there ' },
    ]);
  });
});
