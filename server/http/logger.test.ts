// Log lines never carry secrets or personal data: every string goes through the redactor (here the
// real guardrails redactor, as `djp serve` wires it), `user`/`by` fields are censored, and values the
// server makes itself (route, url, run id) stay readable.
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../shared/guardrails/redaction.js';
import { captureLogger, startServer } from '../../test/server/http-helpers.js';
import { createMemoryApi } from '../../test/server/memory-api.js';
import { traceFromHeaders } from './logger.js';

const settle = () => new Promise((r) => setTimeout(r, 20));
const parse = (logs: string[]) => logs.join('').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

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

  it('every line has Cloud Logging severity (upper-case) and message next to pino level and msg', async () => {
    const r = createRedactor({ enabled: true });
    const { logger, logs } = captureLogger((t) => r.scrub(t));
    logger.debug({ run_id: 'x' }, 'dbg');
    logger.info('plain message by ada@example.com');
    logger.warn({ a: 1 }, 'careful');
    logger.error({ err: new TypeError('bad sk-abcdefghijklmnopqrstuvwxyz123456') }, 'request failed');
    logger.error(new RangeError('out of range'));
    logger.fatal({}, 'dead');
    await settle();
    const lines = parse(logs);
    expect(lines.map((l) => [l['level'], l['severity'], l['msg'], l['message']])).toEqual([
      ['debug', 'DEBUG', 'dbg', 'dbg'],
      ['info', 'INFO', lines[1]!['msg'], lines[1]!['msg']],
      ['warn', 'WARNING', 'careful', 'careful'],
      ['error', 'ERROR', 'request failed', 'request failed'],
      ['error', 'ERROR', 'out of range', 'out of range'],
      ['fatal', 'CRITICAL', 'dead', 'dead'],
    ]);
    // message is redacted like msg; an Error keeps its type and stack under err.
    expect(String(lines[1]!['message'])).not.toContain('ada@example.com');
    expect(lines[1]!['message']).toMatch(/^plain message by /);
    expect(JSON.stringify(lines[3])).not.toContain('sk-abcdefghij');
    expect(lines[4]!['err']).toMatchObject({ type: 'RangeError', message: 'out of range' });
    expect(lines[2]!['a']).toBe(1);
  });

  it('reads the trace from traceparent, else X-Cloud-Trace-Context; garbage is ignored', () => {
    const tid = '4bf92f3577b34da6a3ce929d0e0e4736';
    expect(traceFromHeaders({ traceparent: `00-${tid}-00f067aa0ba902b7-01` })).toEqual({ trace_id: tid, span_id: '00f067aa0ba902b7', trace_sampled: true });
    expect(traceFromHeaders({ traceparent: `00-${tid}-00f067aa0ba902b7-00` })?.trace_sampled).toBe(false);
    // X-Cloud-Trace-Context's span id is decimal; Cloud Logging's spanId is 16 hex digits.
    expect(traceFromHeaders({ 'x-cloud-trace-context': `${tid.toUpperCase()}/1;o=1` })).toEqual({ trace_id: tid, span_id: '0000000000000001', trace_sampled: true });
    expect(traceFromHeaders({ 'x-cloud-trace-context': `${tid}/18446744073709551615` })).toEqual({ trace_id: tid, span_id: 'ffffffffffffffff' });
    expect(traceFromHeaders({ 'x-cloud-trace-context': tid })).toEqual({ trace_id: tid });
    // traceparent wins when both are sent (Cloud Run sends both).
    expect(traceFromHeaders({ traceparent: `00-${tid}-00f067aa0ba902b7-01`, 'x-cloud-trace-context': `${'a'.repeat(32)}/5;o=1` })?.trace_id).toBe(tid);
    // An invalid traceparent falls back to X-Cloud-Trace-Context.
    expect(traceFromHeaders({ traceparent: 'garbage', 'x-cloud-trace-context': `${'a'.repeat(32)}/5;o=0` })).toEqual({ trace_id: 'a'.repeat(32), span_id: '0000000000000005', trace_sampled: false });
    for (const bad of [`ff-${tid}-00f067aa0ba902b7-01`, `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`, `00-${tid}-${'0'.repeat(16)}-01`, `00-${tid}-00f067aa0ba902b7-01-extra`, `00-${tid.slice(1)}-00f067aa0ba902b7-01`, '"><script>']) {
      expect(traceFromHeaders({ traceparent: bad }), bad).toBeNull();
    }
    expect(traceFromHeaders({ 'x-cloud-trace-context': 'not-a-trace/1;o=1' })).toBeNull();
    expect(traceFromHeaders({})).toBeNull();
  });

  it("a request's log line carries its trace; with GOOGLE_CLOUD_PROJECT, Cloud Logging's trace fields", async () => {
    const tid = '0af7651916cd43dd8448eb211c80319c';
    const { logger, logs } = captureLogger(undefined, { gcpProject: 'djp-prod' });
    const s = await startServer(createMemoryApi(), { logger });
    try {
      await (await fetch(s.base + '/api/runs', { headers: { traceparent: `00-${tid}-b7ad6b7169203331-01` } })).text();
      await (await fetch(s.base + '/api/runs/nope', { headers: { 'x-cloud-trace-context': `${tid}/12345;o=1` } })).text();
      await (await fetch(s.base + '/api/runs')).text();
    } finally {
      await s.close();
    }
    await settle();
    const reqs = parse(logs).filter((l) => l['msg'] === 'request');
    expect(reqs).toHaveLength(3);
    expect(reqs[0]).toMatchObject({
      severity: 'INFO',
      message: 'request',
      route: 'GET /api/runs',
      trace_id: tid,
      span_id: 'b7ad6b7169203331',
      trace_sampled: true,
      'logging.googleapis.com/trace': `projects/djp-prod/traces/${tid}`,
      'logging.googleapis.com/spanId': 'b7ad6b7169203331',
      'logging.googleapis.com/trace_sampled': true,
    });
    expect(reqs[1]).toMatchObject({ severity: 'INFO', 'logging.googleapis.com/trace': `projects/djp-prod/traces/${tid}`, 'logging.googleapis.com/spanId': (12345).toString(16).padStart(16, '0') });
    expect(reqs[2]!['trace_id']).toBeUndefined();
    expect(reqs[2]!['logging.googleapis.com/trace']).toBeUndefined();

    // Without a project id: trace_id/span_id only (CloudWatch and others), no Google field.
    const plain = captureLogger();
    const s2 = await startServer(createMemoryApi(), { logger: plain.logger });
    try {
      await (await fetch(s2.base + '/api/runs', { headers: { traceparent: `00-${tid}-b7ad6b7169203331-01` } })).text();
    } finally {
      await s2.close();
    }
    await settle();
    const line = parse(plain.logs).find((l) => l['msg'] === 'request')!;
    expect(line['trace_id']).toBe(tid);
    expect(Object.keys(line).filter((k) => k.startsWith('logging.googleapis.com'))).toEqual([]);
  });
});
