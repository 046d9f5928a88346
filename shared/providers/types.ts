// One model call, one attempt. Retries, timeouts and attempt records wrap this (providers/retry.ts).
import type { ProviderId, Usage } from '../api/index.js';

export interface CompletionRequest {
  model: string;
  system: string;
  prompt: string;
  max_tokens: number;
  temperature: number;
  /** Aborted on timeout, cancel or shutdown. */
  signal: AbortSignal;
  /** Called with each streamed text fragment. */
  onDelta?: (text: string) => void;
  /** Ask for a JSON object back (response_format where the API supports it). */
  json?: boolean;
}

export interface CompletionResult {
  text: string;
  usage: Usage | null;
  /** The model the API says answered. */
  response_model: string | null;
}

export interface LlmProvider {
  readonly id: ProviderId;
  complete(req: CompletionRequest): Promise<CompletionResult>;
  /**
   * Loads what the first call needs (the SDK module), so that a call's recorded latency starts when
   * its request is sent. Started while a run is prepared (shared/service), awaited before each call's
   * clock starts (shared/djp). Never rejects: a load failure surfaces from complete().
   */
  prepare?(): Promise<void>;
}
