// The JSON Schemas sent for native structured output (drafts and judge). Kept to the subset OpenAI
// strict mode, Anthropic output_config.format and Gemini's OpenAI-compatible endpoint all accept:
// objects list every property as required with additionalProperties: false; ranges are enums.
import type { JsonSchemaSpec } from '../providers/types.js';

const str = { type: 'string' } as const;
const strings = { type: 'array', items: str } as const;
const obj = (properties: Record<string, unknown>) => ({ type: 'object', properties, required: Object.keys(properties), additionalProperties: false });
const intRange = (max: number) => ({ type: 'integer', enum: Array.from({ length: max + 1 }, (_, i) => i) });

export const DRAFT_SCHEMA: JsonSchemaSpec = {
  name: 'djp_draft',
  schema: obj({ answer: str, evidence: strings, confidence: { type: 'number' }, safety_flags: strings }),
};

/** One entry per label, each required: the schema itself says exactly which drafts must be scored. */
export function judgeSchema(labels: readonly string[]): JsonSchemaSpec {
  const entry = obj({ task_fit: intRange(4), support: intRange(4), clarity: intRange(2), reasons: str });
  return { name: 'djp_judge_scores', schema: obj({ scores: obj(Object.fromEntries(labels.map((l) => [l, entry]))) }) };
}

export const SYNTHESIS_SCHEMA: JsonSchemaSpec = {
  name: 'djp_synthesis',
  schema: obj({ answer: str, evidence: strings }),
};
