// What both SDK providers do with a stream: collect text up to an answer cap, and tell a stream that
// died midway (keep the text, mark it stream_cut) from one that died before any text (a connection
// error, retried).
import { ProviderCallError } from './errors.js';
import type { CompletionResult } from './types.js';

export class TextCollector {
  text = '';
  capped = false;
  constructor(
    private readonly maxChars: number | null | undefined,
    private readonly onDelta?: (t: string) => void,
  ) {}

  /** Adds a fragment; returns false once the cap is reached (stop reading the stream). */
  push(fragment: string): boolean {
    if (!fragment) return true;
    let piece = fragment;
    if (this.maxChars && this.text.length + piece.length > this.maxChars) {
      piece = piece.slice(0, Math.max(0, this.maxChars - this.text.length));
      this.capped = true;
    }
    if (piece) {
      this.text += piece;
      this.onDelta?.(piece);
    }
    return !this.capped;
  }
}

/** Lengths the APIs report as "the model ran out of tokens". */
export function isLengthStop(reason: string | null): boolean {
  return reason === 'length' || reason === 'max_tokens' || reason === 'model_context_window_exceeded';
}

/**
 * A failure while reading an already-started stream (our own abort excluded): with text so far, the
 * partial result is returned (truncated: stream_cut, never usable); with none, a retryable
 * connection error.
 */
export function streamFailure(e: unknown, got: TextCollector, partial: Omit<CompletionResult, 'text' | 'truncated' | 'cut_error'>): CompletionResult {
  const msg = e instanceof Error ? e.message : String(e);
  // A body that is not valid JSON is the server's fault, not the wire's: not retried (errors.ts).
  if (!got.text && (e instanceof SyntaxError || /JSON|Unexpected token/i.test(msg))) throw e;
  if (!got.text) throw new ProviderCallError(`the stream was cut before any text arrived: ${msg}`, 'connection', null, null, { cause: e });
  return { ...partial, text: got.text, truncated: 'stream_cut', cut_error: `the stream was cut after ${got.text.length} characters: ${msg}` };
}
