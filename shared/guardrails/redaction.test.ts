import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isDjpError } from '../api/index.js';
import { createRedactor, loadRulesFile, luhnValid, parseRulesFile, redactSecrets } from './redaction.js';

const FIXTURES = resolve(import.meta.dirname, '../../test/fixtures');

const SAMPLES = {
  openai_key: ['sk-abcdefghijklmnopqrstuvwxyz123456', 'sk-proj-Ab3dEfGhIjKlMnOpQrStUvWxYz_0123456789'],
  anthropic_key: ['sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-xyz'],
  aws_access_key: ['AKIAIOSFODNN7EXAMPLE', 'ASIAY34FZKBOKMUTVV7A'],
  jwt: ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'],
  email: ['jane.doe+djp@example.co.uk', 'ops@corp.example.com'],
  credit_card: ['4111 1111 1111 1111', '5555-5555-5555-4444', '378282246310005'],
  ssn: ['123-45-6789'],
  ipv4: ['192.168.1.20', '8.8.8.8'],
  phone: ['555-123-4567', '(555) 123-4567', '+1 555.123.4567', '+44 20 7946 0958'],
} as const;

describe('built-in redaction rules', () => {
  const r = () => createRedactor({ enabled: true });
  for (const [type, values] of Object.entries(SAMPLES)) {
    for (const value of values) {
      it(`${type}: redacts ${value}`, () => {
        const red = r();
        const out = red.redact(`before ${value} after`, 'task');
        expect(out).toBe(`before [REDACTED:${type.toUpperCase()}] after`);
        expect(red.events()).toEqual([{ type, rule: type, count: 1, where: 'task' }]);
      });
    }
  }

  it('aws_secret_key: redacts the 40-character value next to its name, keeping the name', () => {
    const red = r();
    const out = red.redact('aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\nnext', 'log');
    expect(out).toBe('aws_secret_access_key = [REDACTED:AWS_SECRET_KEY]\nnext');
    expect(red.events()[0]).toMatchObject({ type: 'aws_secret_key', count: 1 });
    // an unlabelled 40-character string is not recognisable as a secret
    expect(red.redact('hash wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'log')).toContain('wJalr');
  });

  it('google_api_key, bearer_token and url_key_param', () => {
    const red = r();
    expect(red.redact('GOOGLE_API_KEY=AIzaSyD-1234567890abcdefghijklmnopqrstu', 'log')).toBe('GOOGLE_API_KEY=[REDACTED:GOOGLE_API_KEY]');
    expect(red.redact('Authorization: Bearer abc123def456ghi789jkl', 'log')).toBe('Authorization: Bearer [REDACTED:BEARER_TOKEN]');
    expect(red.redact('GET https://x.test/v1/models?alt=json&key=AbCdEf123456&x=1', 'log')).toBe(
      'GET https://x.test/v1/models?alt=json&key=[REDACTED:API_KEY]&x=1',
    );
    expect(red.events().map((e) => e.rule)).toEqual(['google_api_key', 'bearer_token', 'url_key_param']);
  });

  it('pem_private_key: redacts the whole block', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\nKUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQ==\n-----END RSA PRIVATE KEY-----';
    const red = r();
    expect(red.redact(`key:\n${pem}\ndone`, 'draft:d1')).toBe('key:\n[REDACTED:PRIVATE_KEY]\ndone');
    expect(red.redact('-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC (truncated', 'log')).toBe('[REDACTED:PRIVATE_KEY]');
  });

  it('credit cards must pass the Luhn check', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    const red = r();
    expect(red.redact('order 4111 1111 1111 1112 shipped', 'task')).toBe('order 4111 1111 1111 1112 shipped');
    expect(red.events()).toEqual([]);
  });

  it('leaves look-alikes alone', () => {
    const red = r();
    const text = 'Version 1.2.3, 999.1.1.1, 2024-01-15, SSN 000-12-3456, sk-short, ask-anthropic, total 1,234,567 in 2023 2024 2025';
    expect(red.redact(text, 'task')).toBe(text);
    expect(red.events()).toEqual([]);
  });

  it('counts repeated matches and separates events by place', () => {
    const red = r();
    red.redact('a@example.com b@example.com', 'task');
    red.redact('c@example.com', 'draft:d1');
    red.redact('d@example.com', 'task');
    expect(red.events()).toEqual([
      { type: 'email', rule: 'email', count: 3, where: 'task' },
      { type: 'email', rule: 'email', count: 1, where: 'draft:d1' },
    ]);
  });
});

describe('strategies', () => {
  const text = 'mail jane@example.com card 4111-1111-1111-1234 key sk-proj-Ab3dEfGhIjKlMnOpQrStUvWxYz_0123456789';
  // 4111-1111-1111-1234 is not Luhn-valid; use a valid one ending 1111
  const t = text.replace('4111-1111-1111-1234', '4111-1111-1111-1111');
  it('label', () => {
    expect(createRedactor({ enabled: true, strategy: 'label' }).redact(t, 'x')).toBe(
      'mail [REDACTED:EMAIL] card [REDACTED:CREDIT_CARD] key [REDACTED:OPENAI_KEY]',
    );
  });
  it('mask', () => {
    expect(createRedactor({ enabled: true, strategy: 'mask' }).redact(t, 'x')).toBe('mail **** card **** key ****');
  });
  it('partial keeps the last 4 characters', () => {
    expect(createRedactor({ enabled: true, strategy: 'partial' }).redact(t, 'x')).toBe(
      'mail ****.com card ****1111 key ****6789',
    );
  });
});

describe('redact: false and redactSecrets', () => {
  it('redact off keeps personal data but still removes credentials', () => {
    const red = createRedactor({ enabled: false });
    const out = red.redact('jane@example.com 555-123-4567 sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123', 'task');
    expect(out).toBe('jane@example.com 555-123-4567 [REDACTED:ANTHROPIC_KEY]');
    expect(red.enabled).toBe(false);
  });

  it('redactSecrets (the one scrubber for logs and errors) also catches the looser forms; content redaction does not', () => {
    const line = 'GET https://bob:hunter2pass@llm.example.com/v1?auth=abc123 failed: key sk-test-1234567890, Bearer abcd.efgh, AIzaSyA1234567890abcdefgh';
    const out = redactSecrets(line);
    for (const secret of ['hunter2pass', 'abc123', '1234567890', 'abcd.efgh', 'AIzaSyA1234567890abcdefgh']) expect(out).not.toContain(secret);
    expect(out).toBe('GET https://[REDACTED:URL_CREDENTIALS]@llm.example.com/v1?auth=[REDACTED:API_KEY] failed: key [REDACTED:API_KEY], Bearer [REDACTED:BEARER_TOKEN], [REDACTED:GOOGLE_API_KEY]');
    // A key-like parameter already labelled by the precise rule is not labelled twice.
    expect(redactSecrets('https://x.example/?key=AbCdEfGhIjKlMnOp')).toBe('https://x.example/?key=[REDACTED:API_KEY]');
    // Stored content keeps ordinary text that only the looser log rules would hit.
    expect(createRedactor({ enabled: false }).redact('part pk-12345678 ships', 'task')).toBe('part pk-12345678 ships');
  });

  it('redactSecrets removes keys, tokens and private keys only', () => {
    const line = 'auth failed for jane@example.com with key sk-abcdefghijklmnopqrstuvwxyz123456 and AKIAIOSFODNN7EXAMPLE';
    expect(redactSecrets(line)).toBe('auth failed for jane@example.com with key [REDACTED:OPENAI_KEY] and [REDACTED:AWS_ACCESS_KEY]');
    expect(redactSecrets('Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U')).toBe(
      'Authorization: Bearer [REDACTED:JWT]',
    );
  });
});

describe('custom rules file', () => {
  it('loads the fixture: custom rules, per-rule strategy, disabled built-in', async () => {
    const rules = await loadRulesFile(join(FIXTURES, 'redaction-rules.json'));
    const red = createRedactor({ enabled: true, rules });
    const out = red.redact('EMP-123456 on Project Bluebird at 10.0.0.1 mail x@example.com', 'task');
    expect(out).toBe('**** on [REDACTED:CODENAME] at 10.0.0.1 mail [REDACTED:EMAIL]');
    expect(red.rulesFile).toBe(join(FIXTURES, 'redaction-rules.json'));
    expect(red.events().map((e) => e.rule).sort()).toEqual(['email', 'employee_id', 'project_codename']);
  });

  it('custom rules are off with redaction off', async () => {
    const rules = await loadRulesFile(join(FIXTURES, 'redaction-rules.json'));
    expect(createRedactor({ enabled: false, rules }).redact('EMP-123456', 't')).toBe('EMP-123456');
  });

  it.each([
    ['{ not json', /not valid JSON/, undefined],
    ['{"rules":[{"name":"x","pattern":"("}]}', /rules\[0\]\.pattern: invalid regular expression/, undefined],
    ['{"rules":[{"name":"Bad Name","pattern":"a"}]}', /rules\[0\]\.name: must be/, undefined],
    ['{"rules":[{"name":"x","pattern":"a","strategy":"shred"}]}', /rules\[0\]\.strategy/, undefined],
    ['{"rules":[{"name":"x","pattern":"a*"}]}', /rules\[0\]\.pattern: matches the empty string/, undefined],
    ['{"rules":[{"name":"email","pattern":"a"}]}', /rules\[0\]\.name: duplicate rule name "email"/, undefined],
    ['{"rules":[{"name":"x","pattern":"a","flags":"g"}]}', /rules\[0\]\.flags/, undefined],
    ['{"disable_builtin":["openai_key"]}', /disable_builtin\[0\]/, undefined],
    ['{"rulez":[]}', /rulez|unrecognized/i, undefined],
  ])('rejects %s with the field named', (content, message) => {
    try {
      parseRulesFile('rules.json', content);
      expect.unreachable('should have thrown');
    } catch (e) {
      expect(isDjpError(e)).toBe(true);
      const err = e as { code: string; field?: string; message: string };
      expect(err.code).toBe('invalid');
      expect(err.field).toBe('redaction_rules');
      expect(err.message).toMatch(/^redaction_rules: rules\.json: /);
      expect(err.message).toMatch(message);
    }
  });

  it('a missing file is a clear error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'djp-rules-'));
    await expect(loadRulesFile(join(dir, 'nope.json'))).rejects.toThrow(/redaction_rules: .*nope\.json: file not found/);
    writeFileSync(join(dir, 'ok.json'), '{}');
    await expect(loadRulesFile(join(dir, 'ok.json'))).resolves.toMatchObject({ rules: [], disableBuiltin: [] });
  });
});
