// Review finding: an Error logged under `err` (a 500, a failed shutdown) must keep its type and
// message — redacted — instead of collapsing to "[object Object]".
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../shared/guardrails/redaction.js';
import { captureLogger } from '../server/http-helpers.js';

describe('server logger errors', () => {
  it('logs the error type and redacted message of an err field', async () => {
    const r = createRedactor({ enabled: true });
    const { logger, logs } = captureLogger((s) => r.scrub(s));
    const e = Object.assign(new TypeError('store write failed for ada@example.com with key sk-abcdefghijklmnopqrstuvwxyz123456'), { code: 'EACCES' });
    logger.error({ err: e }, 'request failed');
    await new Promise((res) => setTimeout(res, 10));
    const line = JSON.parse(logs.join('').trim().split('\n')[0]!) as { err: { type?: string; message?: string; code?: string; stack?: string } };
    expect(line.err.type).toBe('TypeError');
    expect(line.err.message).toContain('store write failed');
    expect(line.err.code).toBe('EACCES');
    expect(line.err.stack).toContain('store write failed');
    const all = logs.join('');
    expect(all).not.toContain('ada@example.com');
    expect(all).not.toContain('sk-abcdefghijklmnop');
  });
});
