// Any OpenAI-compatible endpoint by base URL: Ollama (http://127.0.0.1:11434/v1), vLLM, LM Studio,
// OpenRouter. The key is optional (local servers need none; the SDK requires a string, so a
// placeholder is sent). JSON: response_format json_schema by default; OPENAI_COMPATIBLE_STRUCTURED=
// json_object|none for servers that reject it.
import { createOpenAIProvider } from './openai.js';
import type { LlmProvider } from './types.js';

export const STRUCTURED_MODES = ['json_schema', 'json_object', 'none'] as const;
export type CompatibleStructured = (typeof STRUCTURED_MODES)[number];

/** What a server that rejects structured output is told to set. */
export const STRUCTURED_HINT =
  'if this server does not support response_format json_schema, set OPENAI_COMPATIBLE_STRUCTURED=json_object (or none to ask in the prompt only)';

export function createOpenAICompatibleProvider(opts: { baseURL: string; apiKey?: string | null; structured?: CompatibleStructured }): LlmProvider {
  const structured = opts.structured ?? 'json_schema';
  return createOpenAIProvider({
    id: 'openai_compatible',
    apiKey: opts.apiKey || 'not-needed',
    baseURL: opts.baseURL,
    tokenParam: 'max_tokens',
    structured,
    structuredHint: structured === 'json_schema' ? STRUCTURED_HINT : structured === 'json_object' ? 'if this server rejects response_format json_object, set OPENAI_COMPATIBLE_STRUCTURED=none' : undefined,
  });
}
