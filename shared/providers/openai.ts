// OpenAI chat.completions through the official `openai` SDK, streaming with usage
// (stream_options.include_usage). Also the base for Google Gemini and any OpenAI-compatible endpoint.
// JSON is asked for natively: response_format {type: 'json_schema', json_schema: {name, schema,
// strict: true}} (ResponseFormatJSONSchema in openai/resources/shared), or json_object.
import type OpenAI from 'openai';
import type { ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';
import type { ProviderId } from '../api/index.js';
import { yieldIfSpent } from '../djp/turns.js';
import { fromSdkError, ProviderCallError } from './errors.js';
import { acceptsTemperature } from './temperature.js';
import { isLengthStop, streamFailure, TextCollector } from './streaming.js';
import { MAX_LISTED_MODELS, type CompletionRequest, type CompletionResult, type LlmProvider, type StructuredMode } from './types.js';

export interface OpenAIProviderOptions {
  id?: ProviderId;
  apiKey: string;
  baseURL?: string | null;
  /** OpenAI's own API wants max_completion_tokens; most compatible servers still read max_tokens. */
  tokenParam?: 'max_completion_tokens' | 'max_tokens';
  /**
   * How a request that wants JSON asks for it: json_schema (native structured output, strict; the
   * default), json_object, or none (the prompt alone). OPENAI_COMPATIBLE_STRUCTURED sets it for
   * OpenAI-compatible servers that reject json_schema.
   */
  structured?: 'json_schema' | 'json_object' | 'none';
  /** Said when the server rejects a structured-output request (what to set instead). */
  structuredHint?: string;
}

// The SDK is loaded on the first call, not at startup: a server or CLI that never calls OpenAI
// (or not yet) does not pay for parsing it.
let sdk: Promise<typeof OpenAI> | null = null;
const loadSdk = (): Promise<typeof OpenAI> => (sdk ??= import('openai').then((m) => m.default));

export function createOpenAIProvider(opts: OpenAIProviderOptions): LlmProvider {
  let client: OpenAI | null = null;
  const tokenParam = opts.tokenParam ?? 'max_completion_tokens';
  const structured = opts.structured ?? 'json_schema';
  const clientFor = (OpenAISdk: typeof OpenAI): OpenAI =>
    (client ??= new OpenAISdk({
      apiKey: opts.apiKey,
      baseURL: opts.baseURL ?? undefined,
      maxRetries: 0, // retries live in retry.ts, where every attempt is recorded
      timeout: 3_600_000, // the per-call timeout is our AbortSignal
    }));
  return {
    id: opts.id ?? 'openai',
    prepare: () => loadSdk().then(
      () => undefined,
      () => undefined,
    ),
    async listModels(signal: AbortSignal): Promise<string[]> {
      const OpenAISdk = await loadSdk();
      const ids: string[] = [];
      try {
        // GET {baseURL}/models: {object: 'list', data: Model[]} (openai/resources/models).
        for await (const m of clientFor(OpenAISdk).models.list({ signal })) {
          // Gemini names its models "models/gemini-…" (its native form); chat completions take the bare id.
          const id = typeof m.id === 'string' ? (opts.id === 'google' ? m.id.replace(/^models\//, '') : m.id) : '';
          if (id) ids.push(id);
          if (ids.length >= MAX_LISTED_MODELS) break;
        }
      } catch (e) {
        throw fromSdkError(e, OpenAISdk, abortKind(signal));
      }
      return ids;
    },
    async complete(req: CompletionRequest): Promise<CompletionResult> {
      const OpenAISdk = await loadSdk();
      try {
        const client = clientFor(OpenAISdk);
        const mode: StructuredMode | null = !req.json ? null : structured === 'none' ? 'prompt' : structured === 'json_schema' && req.schema ? 'json_schema' : 'json_object';
        const response_format =
          mode === 'json_schema'
            ? { type: 'json_schema' as const, json_schema: { name: req.schema!.name, schema: req.schema!.schema, strict: true } }
            : mode === 'json_object'
              ? { type: 'json_object' as const }
              : undefined;
        const params: ChatCompletionCreateParamsStreaming = {
          model: req.model,
          messages: [
            { role: 'system', content: req.system },
            { role: 'user', content: req.prompt },
          ],
          ...(acceptsTemperature(req.model) ? { temperature: req.temperature } : {}),
          ...(tokenParam === 'max_completion_tokens' ? { max_completion_tokens: req.max_tokens } : { max_tokens: req.max_tokens }),
          ...(response_format ? { response_format } : {}),
          stream: true,
          stream_options: { include_usage: true },
        };
        let stream;
        try {
          stream = await client.chat.completions.create(params, { signal: req.signal });
        } catch (e) {
          const err = fromSdkError(e, OpenAISdk, abortKind(req.signal));
          if (mode && mode !== 'prompt' && err.kind === 'http' && err.status === 400 && opts.structuredHint)
            throw new ProviderCallError(`${err.message} — ${opts.structuredHint}`, err.kind, err.status, err.retryAfterMs, { cause: e });
          throw err;
        }
        const got = new TextCollector(req.maxChars, req.onDelta);
        let usage: CompletionResult['usage'] = null;
        let model: string | null = null;
        let finish: string | null = null;
        try {
          for await (const chunk of stream) {
            if (chunk.model) model = chunk.model;
            const choice = chunk.choices?.[0];
            if (choice?.finish_reason) finish = choice.finish_reason;
            const delta = choice?.delta?.content;
            if (delta && !got.push(delta)) break; // answer cap reached: stop reading (the SDK aborts the request)
            if (chunk.usage) {
              const i = chunk.usage.prompt_tokens ?? 0;
              const o = chunk.usage.completion_tokens ?? 0;
              usage = { input_tokens: i, output_tokens: o, total_tokens: chunk.usage.total_tokens ?? i + o };
            }
            const later = yieldIfSpent(); // many streams arriving together are read a slice at a time (turns.ts)
            if (later) await later;
          }
        } catch (e) {
          if (req.signal.aborted || (e instanceof OpenAISdk.APIError && !got.text)) throw e;
          return streamFailure(e, got, { usage, response_model: model, finish_reason: finish, structured: mode });
        }
        const truncated = got.capped ? 'answer_cap' : isLengthStop(finish) ? 'length' : null;
        return { text: got.text, usage: got.capped ? null : usage, response_model: model, finish_reason: finish, truncated, structured: mode };
      } catch (e) {
        throw fromSdkError(e, OpenAISdk, abortKind(req.signal));
      }
    },
  };
}

/** Why our signal fired, if it did (retry.ts aborts with a ProviderCallError as the reason). */
export function abortKind(signal: AbortSignal): 'timeout' | 'cancelled' | null {
  if (!signal.aborted) return null;
  const r: unknown = signal.reason;
  return r instanceof ProviderCallError && r.kind === 'timeout' ? 'timeout' : 'cancelled';
}

export { acceptsTemperature };
