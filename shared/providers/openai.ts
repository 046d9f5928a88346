// OpenAI chat.completions through the official `openai` SDK, streaming with usage
// (stream_options.include_usage). Also the base for Google Gemini and any OpenAI-compatible endpoint.
import type OpenAI from 'openai';
import type { ProviderId } from '../api/index.js';
import { fromSdkError, ProviderCallError } from './errors.js';
import { acceptsTemperature } from './temperature.js';
import type { CompletionRequest, CompletionResult, LlmProvider } from './types.js';

export interface OpenAIProviderOptions {
  id?: ProviderId;
  apiKey: string;
  baseURL?: string | null;
  /** OpenAI's own API wants max_completion_tokens; most compatible servers still read max_tokens. */
  tokenParam?: 'max_completion_tokens' | 'max_tokens';
  /** Ask for response_format json_object when the request wants JSON. */
  jsonMode?: boolean;
}

// The SDK is loaded on the first call, not at startup: a server or CLI that never calls OpenAI
// (or not yet) does not pay for parsing it.
let sdk: Promise<typeof OpenAI> | null = null;
const loadSdk = (): Promise<typeof OpenAI> => (sdk ??= import('openai').then((m) => m.default));

export function createOpenAIProvider(opts: OpenAIProviderOptions): LlmProvider {
  let client: OpenAI | null = null;
  const tokenParam = opts.tokenParam ?? 'max_completion_tokens';
  const jsonMode = opts.jsonMode ?? true;
  return {
    id: opts.id ?? 'openai',
    prepare: () => loadSdk().then(
      () => undefined,
      () => undefined,
    ),
    async complete(req: CompletionRequest): Promise<CompletionResult> {
      const OpenAISdk = await loadSdk();
      try {
        client ??= new OpenAISdk({
          apiKey: opts.apiKey,
          baseURL: opts.baseURL ?? undefined,
          maxRetries: 0, // retries live in retry.ts, where every attempt is recorded
          timeout: 3_600_000, // the per-call timeout is our AbortSignal
        });
        const stream = await client.chat.completions.create(
          {
            model: req.model,
            messages: [
              { role: 'system', content: req.system },
              { role: 'user', content: req.prompt },
            ],
            ...(acceptsTemperature(req.model) ? { temperature: req.temperature } : {}),
            ...(tokenParam === 'max_completion_tokens' ? { max_completion_tokens: req.max_tokens } : { max_tokens: req.max_tokens }),
            ...(req.json && jsonMode ? { response_format: { type: 'json_object' as const } } : {}),
            stream: true,
            stream_options: { include_usage: true },
          },
          { signal: req.signal },
        );
        let text = '';
        let usage: CompletionResult['usage'] = null;
        let model: string | null = null;
        for await (const chunk of stream) {
          if (chunk.model) model = chunk.model;
          const delta = chunk.choices?.[0]?.delta?.content;
          if (delta) {
            text += delta;
            req.onDelta?.(delta);
          }
          if (chunk.usage) {
            const i = chunk.usage.prompt_tokens ?? 0;
            const o = chunk.usage.completion_tokens ?? 0;
            usage = { input_tokens: i, output_tokens: o, total_tokens: chunk.usage.total_tokens ?? i + o };
          }
        }
        return { text, usage, response_model: model };
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
