// Any OpenAI-compatible endpoint by base URL: Ollama (http://127.0.0.1:11434/v1), vLLM, LM Studio,
// OpenRouter. The key is optional (local servers need none; the SDK requires a string, so a
// placeholder is sent).
import { createOpenAIProvider } from './openai.js';
import type { LlmProvider } from './types.js';

export function createOpenAICompatibleProvider(opts: { baseURL: string; apiKey?: string | null }): LlmProvider {
  return createOpenAIProvider({
    id: 'openai_compatible',
    apiKey: opts.apiKey || 'not-needed',
    baseURL: opts.baseURL,
    tokenParam: 'max_tokens',
  });
}
