// Log lines never carry secrets or personal data: every string goes through the redactor (here the
// real guardrails redactor, as `djp serve` wires it), `user`/`by` fields are censored, and values the
// server makes itself (route, url, run id) stay readable.
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../shared/guardrails/redaction.js';
import { captureLogger } from '../../test/server/http-helpers.js';

describe('server logger', () => {
  it('redacts secrets and personal data in messages, fields and errors', async () => {
    const r = createRedactor({ enabled: true });
    const { logger, logs } = captureLogger((s) => r.scrub(s));
    logger.info({ run_id: '01KAXZ3NDEKTSV4RRFFQ69G5FA', user: 'ada@example.com', detail: { note: 'key sk-abcdefghijklmnopqrstuvwxyz123456' } }, 'run started by ada@example.com');
    logger.error({ err: new Error('upstream said: invalid key sk-ant-api03-abcdefghijklmnopqrstuvwxyz') }, 'failed');
    logger.info({ url: 'http://127.0.0.1:8080', route: 'GET /api/runs/:id', by: 'grace@example.com' }, 'listening');
    await new Promise((r) => setTimeout(r, 10));
    const all = logs.join('');
    expect(all).not.toContain('ada@example.com');
    expect(all).not.toContain('grace@example.com');
    expect(all).not.toContain('sk-abcdefghijklmnop');
    expect(all).not.toContain('sk-ant-api03');
    expect(all).toContain('01KAXZ3NDEKTSV4RRFFQ69G5FA');
    expect(all).toContain('"url":"http://127.0.0.1:8080"');
    expect(all).toContain('"route":"GET /api/runs/:id"');
    const lines = logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ level: 'info', user: '[redacted]' });
    expect(typeof lines[0]!['time']).toBe('string');
  });
});
