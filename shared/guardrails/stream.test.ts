import { describe, expect, it } from 'vitest';
import { BUILTIN_RULES, createRedactor, parseRulesFile } from './redaction.js';
import { createStreamRedactor, matchesNoWhitespace } from './stream.js';

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
    const s = createStreamRedactor(redact, { hold: 10 }); // rules unknown: a bounded hold-back
    expect(s.push('hello ')).toBe('');
    expect(s.push('world, this is long')).toBe('hello world, th');
    expect(s.flush()).toBe('is is long');
    expect(s.flush()).toBe('');
  });

  // --- rule-aware hold-back: only what could still complete a match ------------------------------
  const rules = red.rules;
  /** Feeds `parts`; after every push the released text must be a prefix of redacting the whole. */
  function feed(parts: string[], whole = parts.join('')): string {
    const s = createStreamRedactor(redact, { rules });
    const want = redact(whole);
    let out = '';
    for (const p of parts) {
      out += s.push(p);
      if (!want.startsWith(out)) throw new Error(`released ${JSON.stringify(out)}, not a prefix of ${JSON.stringify(want)} (parts ${JSON.stringify(parts)})`);
    }
    out += s.flush();
    expect(out).toBe(want);
    return out;
  }

  // One sample per built-in rule, inside prose (and a JSON-mode answer), with what its redaction says.
  const SAMPLES: Record<string, string> = {
    pem_private_key: 'Here it is:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7abcdef\nQWERTY12\n-----END RSA PRIVATE KEY-----\nDone now.',
    anthropic_key: 'Use sk-ant-api03-AbCdEfGhIjKlMnOpQrSt_uv please.',
    openai_key: 'The key sk-proj-Ab3dEfGhIjKlMnOpQrStUvWx is live.',
    aws_access_key: 'Access id AKIAIOSFODNN7EXAMPLE works.',
    aws_secret_key: 'Set aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" then go.',
    google_api_key: 'Gemini key AIzaSyA1234567890abcdefghijklmnopqrstu here.',
    jwt: 'Token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U done.',
    bearer_token: 'Send Authorization: Bearer abcdefghijklmnop1234567890 next.',
    url_key_param: 'Call https://api.example.com/v1?key=abcdef1234567890 then stop.',
    email: 'Mail jane.doe@example.com today.',
    credit_card: 'Card 4111 1111 1111 1111 expires soon.',
    ssn: 'SSN 123-45-6789 on file.',
    ipv4: 'Host 192.168.10.20 is up.',
    phone: 'Call (555) 123-4567 or +44 20 7946 0958 today.',
  };

  it('has a sample for every built-in rule, and each sample is redacted by its rule', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(BUILTIN_RULES.map((r) => r.name).sort());
    for (const r of BUILTIN_RULES) expect(redact(SAMPLES[r.name]!), r.name).toContain(`[REDACTED:${r.type.toUpperCase()}]`);
  });

  for (const [name, sample] of Object.entries(SAMPLES)) {
    for (const [label, text] of [
      ['prose', sample],
      ['JSON answer', JSON.stringify({ answer: sample, evidence: [], confidence: 0.5 })],
      // After a long paragraph, so the settled head is dropped from the window while the secret streams.
      ['after a paragraph', `${'The tide tables for the harbour were updated last spring. '.repeat(6)}${sample}`],
    ] as const) {
      it(`${name} (${label}): split at every position, and one character at a time, it is still caught`, () => {
        for (let p = 0; p <= text.length; p++) feed([text.slice(0, p), text.slice(p)]);
        for (let p = 1; p < text.length; p += 3) for (let q = p + 1; q < text.length; q += 5) feed([text.slice(0, p), text.slice(p, q), text.slice(q)]);
        feed([...text]);
      });
    }
  }

  it('all the samples in one stream, in random fragments', () => {
    const text = Object.values(SAMPLES).join(' ');
    for (const seed of [3, 5, 8, 13]) {
      const sizes = splits(seed);
      const parts: string[] = [];
      for (let i = 0; i < text.length; ) {
        const n = sizes.next().value as number;
        parts.push(text.slice(i, i + n));
        i += n;
      }
      feed(parts, text);
    }
  });

  it('plain text is released at once, up to the word still being written', () => {
    const s = createStreamRedactor(redact, { rules });
    expect(s.push('Retry with backoff, ')).toBe('Retry with backoff, ');
    expect(s.push('and jit')).toBe('and ');
    expect(s.push('ter.\n')).toBe('jitter.\n');
    // JSON mode: the first words come out as soon as a space follows them.
    expect(s.push('{"answer":"Use retries')).toBe('{"answer":"Use ');
    expect(s.push(' with')).toBe('retries ');
    expect(s.flush()).toBe('with');
  });

  it('holds back only the digits that could still be a card or phone number', () => {
    const s = createStreamRedactor(redact, { rules });
    expect(s.push('Call 555 123')).toBe('Call ');
    expect(s.push(' 4567 now')).toBe('[REDACTED:PHONE] ');
    expect(s.push(' ok')).toBe('now ');
    expect(s.flush()).toBe('ok');
  });

  it('holds an unterminated private key until its footer, then releases the rest', () => {
    const s = createStreamRedactor(redact, { rules });
    expect(s.push('Before. -----BEGIN PRIV')).toBe('Before. ');
    expect(s.push('ATE KEY-----\nMIIEvQIBADAN ')).toBe('');
    expect(s.push('more\n-----END PRIVATE KEY----- After ')).toBe('[REDACTED:PRIVATE_KEY] After ');
  });

  it('a custom rule that can match whitespace falls back to a bounded hold-back; one that cannot, to the word', () => {
    const spaced = parseRulesFile('rules.json', JSON.stringify({ rules: [{ name: 'emp', pattern: 'EMP \\d{6}' }] }));
    const r1 = createRedactor({ enabled: true, rules: spaced });
    const s1 = createStreamRedactor((t) => r1.scrub(t), { rules: r1.rules, hold: 16 });
    expect(s1.push('Employee EMP')).toBe('');
    expect(s1.push(' 123456 is on leave this week.')).toBe('Employee [REDACTED:EMP] is on '); // all but the last 16
    expect(s1.flush()).toBe('leave this week.');
    const tight = parseRulesFile('rules.json', JSON.stringify({ rules: [{ name: 'emp', pattern: 'EMP-\\d{6}' }] }));
    const r2 = createRedactor({ enabled: true, rules: tight });
    const s2 = createStreamRedactor((t) => r2.scrub(t), { rules: r2.rules, hold: 16 });
    expect(s2.push('Employee EMP-12')).toBe('Employee ');
    expect(s2.push('3456 is on leave')).toBe('[REDACTED:EMP] is on ');
  });

  it('matchesNoWhitespace is conservative', () => {
    for (const p of [/EMP-\d{6}/, /[A-Z]{3}_\w+/, /\bkey\.[a-f0-9]{8}\b/, /[!-~]{4}/]) expect(matchesNoWhitespace(p), String(p)).toBe(true);
    for (const p of [/EMP \d{6}/, /a.b/, /a\sb/, /[^x]+/, /\W/, /\D+/, /^EMP/, /EMP$/, /\u0020/, /\x41/, /\p{L}/u, /a/m, /[\t]/]) expect(matchesNoWhitespace(p), String(p)).toBe(false);
  });

  it('a long stream with the rules known: same as redacting the whole, on a short window', () => {
    const filler = 'The tide tables for the harbour were updated last spring by the port authority. ';
    const parts: string[] = [];
    for (let i = 0; i < 300; i++) parts.push(filler, i % 7 === 0 ? `${SECRETS[i % 3]} ` : '', i % 50 === 0 ? '4111 1111\n1111 1111 ' : '');
    const long = parts.join('');
    let calls = 0;
    let work = 0;
    const counting = (t: string) => {
      calls++;
      work += t.length;
      return redact(t);
    };
    const s = createStreamRedactor(counting, { rules });
    const out: string[] = [];
    const sizes = splits(11);
    for (let i = 0; i < long.length; ) {
      const n = (sizes.next().value as number) * 3;
      out.push(s.push(long.slice(i, i + n)));
      i += n;
    }
    out.push(s.flush());
    expect(out.join('')).toBe(redact(long));
    expect(work / calls).toBeLessThan(400);
  });
});
