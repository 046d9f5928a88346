// Google Gemini through its OpenAI-compatible endpoint, with the `openai` SDK; JSON through
// response_format json_schema, which that endpoint accepts.
import { createOpenAIProvider } from './openai.js';
import type { LlmProvider } from './types.js';

export const GOOGLE_OPENAI_BASE_URL = 'https://generativelanguage.googleapis.com/v1beta/openai/';

export function createGoogleProvider(opts: { apiKey: string; baseURL?: string | null }): LlmProvider {
  return createOpenAIProvider({ id: 'google', apiKey: opts.apiKey, baseURL: opts.baseURL || GOOGLE_OPENAI_BASE_URL, tokenParam: 'max_tokens', structured: 'json_schema' });
}
