import { describe, expect, it } from 'vitest';
import { createRedactor } from './redaction.js';
import { createStreamRedactor } from './stream.js';

const SECRETS = [
  'sk-proj-Ab3dEfGhIjKlMnOpQrStUvWxYz_0123456789abcdefghijklmnopqrstuvwxyz0123456789',
  'jane.doe@example.com',
  '4111 1111 1111 1111',
];
const TEXT = `{"answer": "Use key ${SECRETS[0]} and mail ${SECRETS[1]}; card ${SECRETS[2]}.\\n-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\\n-----END PRIVATE KEY-----\\nDone." , "evidence": []}`;

function* splits(seed: number): Generator<number> {
  let x = seed;
  for (;;) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    yield 1 + (x % 9);
  }
}

describe('stream redactor', () => {
  const red = createRedactor({ enabled: true });
  const redact = (t: string) => red.scrub(t);

  it('per-fragment redaction leaks a split secret (why this exists)', () => {
    const parts = [TEXT.slice(0, 40), TEXT.slice(40)];
    expect(parts.map(redact).join('')).toContain('sk-proj-Ab3dEfGhIjKlMnOpQrSt'.slice(0, 20));
  });

  for (const seed of [1, 2, 3, 42]) {
    it(`released text equals redacting the whole, and never contains a secret (seed ${seed})`, () => {
      const s = createStreamRedactor(redact);
      const out: string[] = [];
      const sizes = splits(seed);
      for (let i = 0; i < TEXT.length; ) {
        const n = sizes.next().value as number;
        out.push(s.push(TEXT.slice(i, i + n)));
        i += n;
        const soFar = out.join('');
        for (const secret of SECRETS) expect(soFar).not.toContain(secret.slice(0, 12));
        expect(soFar).not.toContain('MIIEvQIBADAN');
      }
      out.push(s.flush());
      expect(out.join('')).toBe(redact(TEXT));
    });
  }

  it('a long stream: same result as redacting the whole, no secret released early, linear work', () => {
    const filler = 'The tide tables for the harbour were updated last spring by the port authority. ';
    const parts: string[] = [];
    for (let i = 0; i < 300; i++) parts.push(filler, i % 7 === 0 ? `${SECRETS[i % 3]} ` : '', i % 50 === 0 ? '4111 1111\n1111 1111 ' : '');
    const long = parts.join('');
    expect(long.length).toBeGreaterThan(20_000);
    let calls = 0;
    let work = 0;
    const counting = (t: string) => {
      calls++;
      work += t.length;
      return redact(t);
    };
    const s = createStreamRedactor(counting);
    const out: string[] = [];
    const sizes = splits(7);
    for (let i = 0; i < long.length; ) {
      const n = (sizes.next().value as number) * 3;
      out.push(s.push(long.slice(i, i + n)));
      i += n;
    }
    const released = out.join('');
    for (const secret of SECRETS) expect(released).not.toContain(secret.slice(0, 12));
    out.push(s.flush());
    expect(out.join('')).toBe(redact(long));
    // bounded buffer: far less than re-redacting the whole prefix on every fragment (~quadratic)
    expect(work / calls).toBeLessThan(4 * 256 + 64);
  });

  it('releases text once it is far enough behind the end', () => {
    const s = createStreamRedactor(redact, 10);
    expect(s.push('hello ')).toBe('');
    expect(s.push('world, this is long')).toBe('hello world, th');
    expect(s.flush()).toBe('is is long');
    expect(s.flush()).toBe('');
  });
});
