// Anthropic Messages through the official `@anthropic-ai/sdk`, streaming; usage from message_start
// (input) and message_delta (output), stop_reason from message_delta. The Messages API of
// @anthropic-ai/sdk 1.x has no `temperature` (MessageCreateParams dropped it; checked against
// 1.14.0), so the run's temperature is not sent and the artifact records temperature: null for
// Anthropic calls (providers/temperature.ts). JSON is asked for natively with
// `output_config: { format: { type: 'json_schema', schema } }` (OutputConfig / JSONOutputFormat in
// @anthropic-ai/sdk/resources/messages); without a schema the prompt alone asks for JSON.
import type Anthropic from '@anthropic-ai/sdk';
import type { MessageCreateParamsStreaming } from '@anthropic-ai/sdk/resources/messages';
import { yieldIfSpent } from '../djp/turns.js';
import { fromSdkError } from './errors.js';
import { abortKind } from './openai.js';
import { isLengthStop, streamFailure, TextCollector } from './streaming.js';
import { MAX_LISTED_MODELS, type CompletionRequest, type CompletionResult, type LlmProvider, type StructuredMode } from './types.js';

export interface AnthropicProviderOptions {
  apiKey: string;
  baseURL?: string | null;
  /** Send output_config.format json_schema when the request has a schema (default true). */
  structured?: boolean;
}

// The SDK is loaded on the first call, not at startup (see openai.ts).
let sdk: Promise<typeof Anthropic> | null = null;
const loadSdk = (): Promise<typeof Anthropic> => (sdk ??= import('@anthropic-ai/sdk').then((m) => m.default));

export function createAnthropicProvider(opts: AnthropicProviderOptions): LlmProvider {
  let client: Anthropic | null = null;
  const structured = opts.structured ?? true;
  return {
    id: 'anthropic',
    prepare: () => loadSdk().then(
      () => undefined,
      () => undefined,
    ),
    async listModels(signal: AbortSignal): Promise<string[]> {
      const AnthropicSdk = await loadSdk();
      const ids: string[] = [];
      try {
        client ??= new AnthropicSdk({ apiKey: opts.apiKey, baseURL: opts.baseURL ?? undefined, maxRetries: 0, timeout: 3_600_000 });
        // GET /v1/models, paged by after_id: {data: ModelInfo[], has_more, first_id, last_id}.
        for await (const m of client.models.list({ limit: 100 }, { signal })) {
          if (typeof m.id === 'string' && m.id) ids.push(m.id);
          if (ids.length >= MAX_LISTED_MODELS) break;
        }
      } catch (e) {
        throw fromSdkError(e, AnthropicSdk, abortKind(signal));
      }
      return ids;
    },
    async complete(req: CompletionRequest): Promise<CompletionResult> {
      const AnthropicSdk = await loadSdk();
      const mode: StructuredMode | null = !req.json ? null : structured && req.schema ? 'json_schema' : 'prompt';
      try {
        client ??= new AnthropicSdk({ apiKey: opts.apiKey, baseURL: opts.baseURL ?? undefined, maxRetries: 0, timeout: 3_600_000 });
        const params: MessageCreateParamsStreaming = {
          model: req.model,
          system: req.system,
          messages: [{ role: 'user', content: req.prompt }],
          max_tokens: req.max_tokens,
          ...(mode === 'json_schema' ? { output_config: { format: { type: 'json_schema' as const, schema: req.schema!.schema } } } : {}),
          stream: true,
        };
        const stream = await client.messages.create(params, { signal: req.signal });
        const got = new TextCollector(req.maxChars, req.onDelta);
        let input = 0;
        let output = 0;
        let sawUsage = false;
        let model: string | null = null;
        let stop: string | null = null;
        const usage = () => (sawUsage ? { input_tokens: input, output_tokens: output, total_tokens: input + output } : null);
        try {
          for await (const ev of stream) {
            if (ev.type === 'message_start') {
              model = ev.message.model ?? null;
              input = ev.message.usage?.input_tokens ?? 0;
              output = ev.message.usage?.output_tokens ?? 0;
              sawUsage = !!ev.message.usage;
            } else if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') {
              if (!got.push(ev.delta.text)) break; // answer cap reached
            } else if (ev.type === 'message_delta') {
              if (ev.delta?.stop_reason) stop = ev.delta.stop_reason;
              if (ev.usage) {
                output = ev.usage.output_tokens ?? output;
                if (typeof ev.usage.input_tokens === 'number') input = ev.usage.input_tokens;
                sawUsage = true;
              }
            }
            const later = yieldIfSpent(); // many streams arriving together are read a slice at a time (turns.ts)
            if (later) await later;
          }
        } catch (e) {
          if (req.signal.aborted || (e instanceof AnthropicSdk.APIError && !got.text)) throw e;
          return streamFailure(e, got, { usage: usage(), response_model: model, finish_reason: stop, structured: mode });
        }
        // A capped stream stops before message_delta: its output usage is unknown, not message_start's 1.
        const u = got.capped ? null : usage();
        const truncated = got.capped ? 'answer_cap' : isLengthStop(stop) ? 'length' : null;
        return { text: got.text, usage: u, response_model: model, finish_reason: stop, truncated, structured: mode };
      } catch (e) {
        throw fromSdkError(e, AnthropicSdk, abortKind(req.signal));
      }
    },
  };
}
