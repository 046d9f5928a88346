// Anthropic Messages through the official `@anthropic-ai/sdk`, streaming; usage from message_start
// (input) and message_delta (output). The Messages API of @anthropic-ai/sdk 1.x has no `temperature`
// (MessageCreateParams dropped it; checked against 1.14.0), so the run's temperature is not sent and
// the artifact records temperature: null for Anthropic calls (providers/temperature.ts).
import type Anthropic from '@anthropic-ai/sdk';
import { fromSdkError } from './errors.js';
import { abortKind } from './openai.js';
import type { CompletionRequest, CompletionResult, LlmProvider } from './types.js';

export interface AnthropicProviderOptions {
  apiKey: string;
  baseURL?: string | null;
}

// The SDK is loaded on the first call, not at startup (see openai.ts).
let sdk: Promise<typeof Anthropic> | null = null;
const loadSdk = (): Promise<typeof Anthropic> => (sdk ??= import('@anthropic-ai/sdk').then((m) => m.default));

export function createAnthropicProvider(opts: AnthropicProviderOptions): LlmProvider {
  let client: Anthropic | null = null;
  return {
    id: 'anthropic',
    prepare: () => loadSdk().then(
      () => undefined,
      () => undefined,
    ),
    async complete(req: CompletionRequest): Promise<CompletionResult> {
      const AnthropicSdk = await loadSdk();
      try {
        client ??= new AnthropicSdk({ apiKey: opts.apiKey, baseURL: opts.baseURL ?? undefined, maxRetries: 0, timeout: 3_600_000 });
        const stream = await client.messages.create(
          {
            model: req.model,
            system: req.system,
            messages: [{ role: 'user', content: req.prompt }],
            max_tokens: req.max_tokens,
            stream: true,
          },
          { signal: req.signal },
        );
        let text = '';
        let input = 0;
        let output = 0;
        let sawUsage = false;
        let model: string | null = null;
        for await (const ev of stream) {
          if (ev.type === 'message_start') {
            model = ev.message.model ?? null;
            input = ev.message.usage?.input_tokens ?? 0;
            output = ev.message.usage?.output_tokens ?? 0;
            sawUsage = !!ev.message.usage;
          } else if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') {
            text += ev.delta.text;
            req.onDelta?.(ev.delta.text);
          } else if (ev.type === 'message_delta' && ev.usage) {
            output = ev.usage.output_tokens ?? output;
            if (typeof ev.usage.input_tokens === 'number') input = ev.usage.input_tokens;
            sawUsage = true;
          }
        }
        return { text, usage: sawUsage ? { input_tokens: input, output_tokens: output, total_tokens: input + output } : null, response_model: model };
      } catch (e) {
        throw fromSdkError(e, AnthropicSdk, abortKind(req.signal));
      }
    },
  };
}
