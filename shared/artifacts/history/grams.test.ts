import { describe, expect, it } from 'vitest';
import { buildGrams, mayContain } from './grams.js';

describe('trigram filter', () => {
  const texts = Array.from({ length: 2000 }, (_, i) => `summarise the quarterly report for team ${i % 97} (run ${i}) and the ${['postgres', 'budget', 'latency'][i % 3]} plan`);
  const filter = buildGrams(texts);

  it('never misses a substring of any text', () => {
    for (const t of texts.filter((_, i) => i % 37 === 0)) {
      for (let a = 0; a < t.length - 3; a += 5) expect(mayContain(filter, t.slice(a, a + 3 + (a % 11)))).toBe(true);
    }
  });

  it('rules out words that are in no text (few false positives)', () => {
    const absent = Array.from({ length: 200 }, (_, i) => `zq${String.fromCharCode(97 + (i % 26))}x${i}w`);
    const hits = absent.filter((w) => mayContain(filter, w)).length;
    expect(hits).toBeLessThan(10);
    expect(mayContain(filter, 'xylophonic')).toBe(false);
  });

  it('needles shorter than 3 characters cannot be ruled out', () => {
    expect(mayContain(filter, 'zq')).toBe(true);
  });
});
