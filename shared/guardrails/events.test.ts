import { describe, expect, it } from 'vitest';
import { createRedactor } from './redaction.js';
import { redactEvent } from './events.js';

const red = createRedactor({ enabled: true });
const r = (s: string) => red.scrub(s);

describe('redactEvent', () => {
  it('redacts every string of an event: attempt errors, draft errors, judge reasons, warnings', () => {
    const attempt = redactEvent(
      {
        type: 'draft.attempt',
        draft_id: 'd1',
        attempt: { n: 1, started_at: 'now', latency_ms: 1, outcome: 'error', http_status: 400, error: 'bad key for jane@example.com', retry_after_ms: null },
      },
      r,
    );
    expect(attempt).toMatchObject({ type: 'draft.attempt', draft_id: 'd1', attempt: { error: 'bad key for [REDACTED:EMAIL]', http_status: 400 } });
    expect(redactEvent({ type: 'draft.done', draft_id: 'd1', status: 'failed', error: '4111 1111 1111 1111', usage: null, latency_ms: 3 }, r)).toMatchObject({
      error: '[REDACTED:CREDIT_CARD]',
      latency_ms: 3,
      usage: null,
    });
    expect(
      redactEvent(
        { type: 'judge.done', pass: 1, status: 'ok', error: null, scores: [{ draft_id: 'd1', status: 'scored', score: 5, subscores: null, reasons: 'cites 555-123-4567', pass_scores: [5] }] },
        r,
      ),
    ).toMatchObject({ scores: [{ reasons: 'cites [REDACTED:PHONE]', score: 5 }] });
    expect(redactEvent({ type: 'warning', message: 'key sk-abcdefghijklmnopqrstuvwxyz' }, r)).toEqual({ type: 'warning', message: 'key [REDACTED:OPENAI_KEY]' });
  });

  it('leaves streamed fragments to the stream redactor', () => {
    const e = { type: 'draft.delta' as const, draft_id: 'd1', text: 'jane@exa' };
    expect(redactEvent(e, r)).toBe(e);
  });
});
