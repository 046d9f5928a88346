// Redaction of run events before they leave the pipeline (CLI progress, SSE, IPC). Provider error
// messages, judge reasons and warnings can carry whatever a model or an API echoed back, so every
// string in an event goes through the run's redactor. Streamed draft text is left alone here: it
// is redacted over the whole stream by shared/guardrails/stream.ts (a fragment alone cannot be).
import type { RunEventInput } from '../api/index.js';

function deep<T>(value: T, redact: (s: string) => string): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => deep(v, redact)) as T;
  if (value && typeof value === 'object') {
    // Object.keys, not Object.entries: one array per object instead of one more per property (an
    // event goes through here on its way to every subscriber).
    const src = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(src)) out[k] = deep(src[k], redact);
    return out as T;
  }
  return value;
}

export function redactEvent(e: RunEventInput, redact: (s: string) => string): RunEventInput {
  if (e.type === 'draft.delta') return e;
  const { type, ...rest } = e;
  return { type, ...deep(rest, redact) } as RunEventInput;
}
