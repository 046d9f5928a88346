// Streaming latency: from the provider's first byte of draft text (the fake OpenAI server stamps
// when it writes the first delta) to the first draft.delta event a client reads from the server's
// SSE stream (GET /api/runs/:id/events over real HTTP on loopback), p50 and p95 — with redaction on
// (the default: the stream redactor holds text back) and off. Same process, same clock. The fake
// model streams a ~2 KB draft in 40 deltas 25 ms apart. Target (issue 10): ≤ 100 ms.
// Prints figures; asserts nothing. Run alone: npx tsx bench/stream-latency.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServe } from '../server/commands/serve.js';
import { startFakeLlmServer } from '../test/fakes/llm-server.js';
import { summaryRow, type TargetRow } from './summary.js';

const MODEL = 'bench-stream';
const ANSWER = JSON.stringify({ answer: `Streaming answer. ${'Each sentence arrives a little later than the last one. '.repeat(36)}`, evidence: [], confidence: 0.6, safety_flags: [] });

async function firstDeltaAt(base: string, id: string): Promise<number> {
  const res = await fetch(`${base}/api/runs/${id}/events`, { headers: { accept: 'text/event-stream' } });
  if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status}`);
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let buf = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the stream ended without a draft.delta');
      buf += dec.decode(value, { stream: true });
      for (let i = buf.indexOf('\n\n'); i !== -1; i = buf.indexOf('\n\n')) {
        const frame = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const data = frame.split('\n').find((l) => l.startsWith('data:'));
        if (data && JSON.parse(data.slice(5)).type === 'draft.delta') return Date.now();
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};

export async function benchStreamLatency(samples = 15): Promise<Record<'on' | 'off', { p50: number; p95: number; n: number }>> {
  const fake = await startFakeLlmServer({ models: { [MODEL]: { latencyMs: 0, chunks: 40, chunkDelayMs: 25, text: () => ANSWER } } });
  const tmp = mkdtempSync(join(tmpdir(), 'djp-bench-stream-'));
  const server = await startServe(
    { port: '0', host: '127.0.0.1' },
    { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', OPENAI_API_KEY: 'sk-bench-not-a-real-key-0000000000', OPENAI_BASE_URL: fake.openaiBaseURL, RUNS_DIR: join(tmp, 'runs'), DJP_OUTBOX_DIR: join(tmp, 'outbox'), DJP_AUTH: 'none', DJP_LOG_LEVEL: 'error' },
  );
  const out = { on: [] as number[], off: [] as number[] };
  try {
    for (let i = 0; i < samples * 2; i++) {
      const redact = i % 2 === 0;
      const before = fake.requestsFor(MODEL).length;
      const res = await fetch(`${server.url}/api/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ task: `Latency sample ${i}`, debaters: [{ provider: 'openai', model: MODEL }], redact }),
      });
      if (res.status !== 202) throw new Error(`start: HTTP ${res.status} ${await res.text()}`);
      const { id } = (await res.json()) as { id: string };
      const seen = await firstDeltaAt(server.url, id);
      const rec = fake.requestsFor(MODEL)[before];
      if (!rec?.firstByteAt) throw new Error('the fake provider recorded no first byte');
      (redact ? out.on : out.off).push(seen - rec.firstByteAt);
      await new Promise((r) => setTimeout(r, 1200)); // let the run finish before the next one
    }
  } finally {
    await server.stop();
    await fake.close();
    rmSync(tmp, { recursive: true, force: true });
  }
  const fig = (xs: number[]) => ({ p50: pct(xs, 0.5), p95: pct(xs, 0.95), n: xs.length });
  return { on: fig(out.on), off: fig(out.off) };
}

export async function run(): Promise<TargetRow[]> {
  const f = await benchStreamLatency();
  console.log('stream latency (provider first byte → first SSE draft.delta, loopback)');
  console.log(`  redaction on (default)   p50 ${f.on.p50} ms, p95 ${f.on.p95} ms  (${f.on.n} runs)`);
  console.log(`  redaction off            p50 ${f.off.p50} ms, p95 ${f.off.p95} ms  (${f.off.n} runs)`);
  return [
    summaryRow('stream-latency', 'first delta p95, redaction on', `${f.on.p95} ms`, '≤ 100 ms', f.on.p95 <= 100),
    summaryRow('stream-latency', 'first delta p95, redaction off', `${f.off.p95} ms`, '≤ 100 ms', f.off.p95 <= 100),
  ];
}

if (process.argv[1] && import.meta.filename === process.argv[1]) await run();
