// The Settings keychain form's logic, kept out of the component so it is tested without a DOM:
// labels, what a save / remove does, and the words shown when it fails. A key typed here goes to
// client.keys.set and nowhere else — no result, status line or error text ever contains it.
import { DjpError, KEYCHAIN_PROVIDERS, type KeychainProvider, type KeychainStatus } from '../../../shared/api/index.js';
import type { KeyManager } from '../api/client.js';

export { KEYCHAIN_PROVIDERS };
export type { KeychainProvider, KeychainStatus };

export const PROVIDER_NAMES: Record<KeychainProvider, string> = {
  openai: 'OpenAI',
  anthropic: 'Anthropic',
  google: 'Google',
  openai_compatible: 'OpenAI-compatible endpoint',
};

/** The accessible name of a provider's key input, e.g. "OpenAI API key". */
export function keyLabel(provider: KeychainProvider): string {
  return `${PROVIDER_NAMES[provider]} API key`;
}

export type KeyOutcome = { ok: true; text: string } | { ok: false; text: string };

/** Replaces any occurrence of the typed key (defence in depth: main never echoes it). */
export function hideKey(text: string, key: string | undefined): string {
  const k = key?.trim();
  return k && k.length >= 4 ? text.split(k).join('[hidden]') : text;
}

/** Words a person can act on for a failed keychain call. */
export function keychainErrorText(error: unknown, action: string, key?: string): string {
  let text: string;
  if (error instanceof DjpError) {
    if (error.code === 'invalid' && error.field === 'key') text = `Could not ${action}: the ${error.message}. Check the key you pasted and try again.`;
    else if (error.code === 'unavailable') text = `Could not ${action}. ${error.message}`;
    else text = `Could not ${action}: ${error.message}`;
  } else {
    text = `Could not ${action}: ${error instanceof Error ? error.message : String(error)}`;
  }
  return hideKey(text, key);
}

/** Stores a provider's key; the outcome's text never contains it. */
export async function saveKey(keys: KeyManager, provider: KeychainProvider, key: string): Promise<KeyOutcome> {
  const name = PROVIDER_NAMES[provider];
  if (!key.trim()) return { ok: false, text: `Paste the ${keyLabel(provider)} first.` };
  try {
    await keys.set(provider, key);
    return { ok: true, text: `Saved the ${name} key in the OS keychain.` };
  } catch (e) {
    return { ok: false, text: keychainErrorText(e, `save the ${name} key`, key) };
  }
}

/** Removes a provider's key from the keychain. */
export async function removeKey(keys: KeyManager, provider: KeychainProvider): Promise<KeyOutcome> {
  const name = PROVIDER_NAMES[provider];
  try {
    await keys.delete(provider);
    return { ok: true, text: `Removed the ${name} key from the OS keychain.` };
  } catch (e) {
    return { ok: false, text: keychainErrorText(e, `remove the ${name} key`) };
  }
}

/** Loads which providers have a stored key; the error words when the keychain cannot be read. */
export async function loadKeyStatus(keys: KeyManager): Promise<{ status: KeychainStatus[] } | { error: string }> {
  try {
    return { status: await keys.list() };
  } catch (e) {
    return { error: keychainErrorText(e, 'read the OS keychain') };
  }
}
