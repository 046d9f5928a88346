import { describe, expect, it } from 'vitest';
import { DjpError, type KeychainProvider } from '../../../shared/api/index.js';
import type { KeyManager } from '../api/client.js';
import { KEYCHAIN_PROVIDERS, hideKey, keyLabel, keychainErrorText, loadKeyStatus, removeKey, saveKey } from './keychain.js';

const SECRET = 'sk-form-secret-0123456789';

/** A fake client.keys: an in-memory keychain, or one that throws the given error. */
function fakeKeys(error?: DjpError): KeyManager & { store: Map<KeychainProvider, string> } {
  const store = new Map<KeychainProvider, string>();
  return {
    store,
    async list() {
      if (error) throw error;
      return KEYCHAIN_PROVIDERS.map((provider) => ({ provider, configured: store.has(provider) }));
    },
    async set(provider, key) {
      if (error) throw error;
      store.set(provider, key.trim());
    },
    async delete(provider) {
      if (error) throw error;
      store.delete(provider);
    },
  };
}

describe('keychain form logic', () => {
  it('labels every keychain provider\'s input by name', () => {
    expect(KEYCHAIN_PROVIDERS.map(keyLabel)).toEqual(['OpenAI API key', 'Anthropic API key', 'Google API key', 'OpenAI-compatible endpoint API key']);
  });

  it('saves a key, then says so without the key; remove takes it out', async () => {
    const keys = fakeKeys();
    const saved = await saveKey(keys, 'openai', ` ${SECRET} `);
    expect(saved).toEqual({ ok: true, text: 'Saved the OpenAI key in the OS keychain.' });
    expect(keys.store.get('openai')).toBe(SECRET);
    expect(await loadKeyStatus(keys)).toEqual({ status: KEYCHAIN_PROVIDERS.map((provider) => ({ provider, configured: provider === 'openai' })) });
    expect(await removeKey(keys, 'openai')).toEqual({ ok: true, text: 'Removed the OpenAI key from the OS keychain.' });
    expect(keys.store.size).toBe(0);
  });

  it('asks for a key before calling the keychain when the field is empty', async () => {
    const keys = fakeKeys(new DjpError('internal', 'must not be called'));
    expect(await saveKey(keys, 'anthropic', '  ')).toEqual({ ok: false, text: 'Paste the Anthropic API key first.' });
  });

  it('shows an unavailable keychain in words a user can act on', async () => {
    const msg = 'The OS keychain is not available (storing a key failed: Cannot autolaunch D-Bus without X11 $DISPLAY). On Linux the keychain is the Secret Service on the D-Bus session bus. Provider keys can still be set in the environment (OPENAI_API_KEY).';
    const keys = fakeKeys(new DjpError('unavailable', msg));
    const r = await saveKey(keys, 'google', SECRET);
    expect(r.ok).toBe(false);
    expect(r.text).toBe(`Could not save the Google key. ${msg}`);
    expect(r.text).not.toContain('DJP server'); // not the web client's "server unreachable" advice
    expect(await loadKeyStatus(keys)).toEqual({ error: `Could not read the OS keychain. ${msg}` });
    expect((await removeKey(keys, 'google')).text).toContain('Could not remove the Google key.');
  });

  it('names a refused key and never repeats it, even if an error carried it', async () => {
    const invalid = await saveKey(fakeKeys(new DjpError('invalid', 'key must not contain spaces, line breaks or control characters', 'key')), 'openai', `a b${SECRET}`);
    expect(invalid).toEqual({ ok: false, text: 'Could not save the OpenAI key: the key must not contain spaces, line breaks or control characters. Check the key you pasted and try again.' });
    const leaky = await saveKey(fakeKeys(new DjpError('internal', `bad key ${SECRET} here`)), 'openai', SECRET);
    expect(leaky.text).toBe('Could not save the OpenAI key: bad key [hidden] here');
    expect(keychainErrorText(new Error(`x ${SECRET}`), 'save', ` ${SECRET}\n`)).toBe('Could not save: x [hidden]');
    expect(hideKey('abc', 'ab')).toBe('abc'); // too short to be a key: left alone
  });
});
