// A call's recorded latency starts when its request is sent: loading the SDK (LlmProvider.prepare)
// happens before the clock starts, and the service starts that load while the run is prepared.
import { describe, expect, it } from 'vitest';
import { runDebate } from '../../shared/djp/debate.js';
import type { LlmProvider } from '../../shared/providers/types.js';
import type { RunEventInput } from '../../shared/api/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('recorded call latency', () => {
  it('excludes the provider’s preparation (SDK loading): 400 ms of loading, a 20 ms call', async () => {
    let prepared = false;
    const provider: LlmProvider = {
      id: 'openai',
      prepare: async () => {
        await sleep(400);
        prepared = true;
      },
      complete: async () => {
        expect(prepared).toBe(true); // the call is made only once the SDK is there
        await sleep(20);
        return { text: JSON.stringify({ answer: 'ok', evidence: [] }), usage: null, response_model: null, finish_reason: 'stop', truncated: null, structured: 'json_schema' };
      },
    };
    const events: RunEventInput[] = [];
    const t0 = Date.now();
    const [draft] = await runDebate([{ provider: 'openai', model: 'm' }], {
      task: 't',
      context: null,
      max_answer_chars: null,
      max_tokens: 100,
      temperature: 0,
      timeout_s: 10,
      providerFor: () => provider,
      emit: (e) => events.push(e),
      hooks: { canLaunch: () => ({ ok: true, reason: null }), price: () => null, record: () => undefined },
    });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
    expect(draft!.status).toBe('ok');
    expect(draft!.attempts[0]!.latency_ms).toBeLessThan(300);
    expect(draft!.latency_ms).toBeLessThan(300);
  });
});
