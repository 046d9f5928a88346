// Which calls get the run's sampling temperature. The providers send it by this rule and the
// pipeline records it per call (CallRecord.temperature), so an artifact says where it was not applied:
// - Anthropic: the Messages API in @anthropic-ai/sdk 1.x has no `temperature` parameter (deprecated
//   and removed from MessageCreateParams), so nothing is sent;
// - OpenAI reasoning models (gpt-5*, o1/o3/o4…) reject any temperature but the default;
// - the offline provider is deterministic and ignores it.
import type { ProviderId } from '../api/index.js';

/** OpenAI's reasoning models (gpt-5*, o1/o3/o4) reject a temperature other than the default. */
export function acceptsTemperature(model: string): boolean {
  return !/^(gpt-5|o\d)/.test(model);
}

/** The temperature actually sent for a call, or null when it is not applied. */
export function appliedTemperature(provider: ProviderId, model: string, temperature: number): number | null {
  if (provider === 'anthropic' || provider === 'offline') return null;
  return acceptsTemperature(model) ? temperature : null;
}
