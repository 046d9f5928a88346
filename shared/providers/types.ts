// One model call, one attempt. Retries, timeouts and attempt records wrap this (providers/retry.ts).
import type { ProviderId, Usage } from '../api/index.js';

/** A JSON Schema for native structured output, in the subset every provider accepts (objects with
 *  required properties and additionalProperties: false, arrays, strings, numbers, enums). */
export interface JsonSchemaSpec {
  /** a-z, A-Z, 0-9, _ or -, at most 64 characters (OpenAI's rule). */
  name: string;
  schema: Record<string, unknown>;
}

/** How JSON was asked for on one call. */
export type StructuredMode = 'json_schema' | 'json_object' | 'prompt';

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
  /** Ask for a JSON object back (response_format / output_config where the API supports it). */
  json?: boolean;
  /** With json: the schema to enforce natively (json_schema mode); without it, json_object mode. */
  schema?: JsonSchemaSpec;
  /** Stop reading the stream once the answer reaches this many characters (result: truncated answer_cap). */
  maxChars?: number | null;
}

export interface CompletionResult {
  text: string;
  usage: Usage | null;
  /** The model the API says answered. */
  response_model: string | null;
  /** finish_reason (OpenAI) / stop_reason (Anthropic) as the API sent it; null when none arrived. */
  finish_reason: string | null;
  /** length: the model hit its token cap; answer_cap: maxChars reached and the stream stopped;
   *  stream_cut: the stream died after some text arrived (the text so far is kept). */
  truncated: 'length' | 'answer_cap' | 'stream_cut' | null;
  /** Why the stream died, for stream_cut. */
  cut_error?: string | null;
  /** How JSON was asked for. */
  structured: StructuredMode | null;
}

export interface LlmProvider {
  readonly id: ProviderId;
  complete(req: CompletionRequest): Promise<CompletionResult>;
  /**
   * Loads what the first call needs (the SDK module), so that a call's recorded latency starts when
   * its request is sent: awaited before each call's clock starts (shared/djp). Never rejects: a load
   * failure surfaces from complete(). (Starting every SDK's import while the run is prepared was tried
   * and made the first provider's call wait for all the imports under load; not done.)
   */
  prepare?(): Promise<void>;
  /**
   * The model ids the provider itself lists (OpenAI and OpenAI-compatible servers: GET /v1/models;
   * Anthropic: GET /v1/models, paged; Gemini: its OpenAI-compatible models list; offline: its own).
   * Rejects with a ProviderCallError when the listing fails. Suggestions only: any id may be typed.
   */
  listModels?(signal: AbortSignal): Promise<string[]>;
}

/** At most this many model ids are read from one provider's listing. */
export const MAX_LISTED_MODELS = 1000;
