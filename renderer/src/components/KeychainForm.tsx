// Desktop only: provider API keys in the OS keychain. Shows per provider whether a key is stored
// (never the key), a password field to store a new one and a Remove button. The fields are
// uncontrolled on purpose: the key is read from the form on submit, handed to keys.set and the
// form is reset — it never sits in React state, in a value attribute, or in any text shown here.
import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import type { KeyManager } from '../api/client.js';
import { KEYCHAIN_PROVIDERS, PROVIDER_NAMES, keyLabel, loadKeyStatus, removeKey, saveKey, type KeyOutcome, type KeychainProvider, type KeychainStatus } from '../lib/keychain.js';

export function KeychainForm({ keys, onChanged }: { keys: KeyManager; onChanged: () => void }) {
  const id = useId();
  const [status, setStatus] = useState<KeychainStatus[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [busy, setBusy] = useState<{ provider: KeychainProvider; kind: 'save' | 'remove' } | null>(null);
  const [outcome, setOutcome] = useState<{ provider: KeychainProvider; result: KeyOutcome } | null>(null);

  const reload = useCallback(async () => {
    const r = await loadKeyStatus(keys);
    if ('status' in r) {
      setStatus(r.status);
      setLoadError(null);
    } else setLoadError(r.error);
  }, [keys]);
  useEffect(() => {
    void reload();
  }, [reload]);

  const run = async (provider: KeychainProvider, kind: 'save' | 'remove', action: () => Promise<KeyOutcome>, form?: HTMLFormElement) => {
    setBusy({ provider, kind });
    setOutcome(null);
    try {
      const result = await action();
      if (result.ok) form?.reset();
      setOutcome({ provider, result });
      if (result.ok) {
        await reload();
        onChanged();
      }
    } finally {
      setBusy(null);
    }
  };

  const save = (provider: KeychainProvider) => (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const key = new FormData(form).get('key');
    void run(provider, 'save', () => saveKey(keys, provider, typeof key === 'string' ? key : ''), form);
  };

  return (
    <div className="keychain" aria-label="API keys in the OS keychain" role="group">
      <h4>API keys in the OS keychain</h4>
      {status?.[0]?.store && (
        <p className="hint" data-testid="keychain-store">
          {status[0].store === 'os_keychain'
            ? 'Keys are kept in the OS keychain (macOS Keychain, Windows Credential Manager or the Secret Service).'
            : 'The OS keychain cannot be used here: keys are kept in a file in the app’s data folder, encrypted with the system’s key (Electron safeStorage), never as plain text.'}
        </p>
      )}
      {loadError && (
        <p className="error" role="alert">
          {loadError}
        </p>
      )}
      {KEYCHAIN_PROVIDERS.map((provider) => {
        const stored = status?.find((s) => s.provider === provider)?.configured;
        const name = PROVIDER_NAMES[provider];
        const inputId = `${id}-${provider}`;
        const shown = outcome?.provider === provider ? outcome.result : null;
        return (
          <form key={provider} className="keychain-row" data-keychain={provider} aria-label={`${name} key`} onSubmit={save(provider)} noValidate>
            <div className="row">
              <label htmlFor={inputId}>{keyLabel(provider)}</label>
              <span className={`badge${stored === undefined ? '' : stored ? ' ok' : ' off'}`} data-testid={`keychain-${provider}`}>
                {stored === undefined ? 'status unknown' : stored ? 'key stored' : 'no key stored'}
              </span>
            </div>
            <div className="row">
              <input
                id={inputId}
                name="key"
                type="password"
                autoComplete="off"
                spellCheck={false}
                placeholder={stored ? 'Paste a new key to replace it' : 'Paste the key'}
                disabled={busy !== null}
              />
              <button type="submit" className="primary" disabled={busy !== null}>
                {busy?.provider === provider && busy.kind === 'save' ? 'Saving…' : `Save ${name} key`}
              </button>
              <button type="button" aria-label={`Remove ${name} key`} disabled={busy !== null || stored === false} onClick={() => void run(provider, 'remove', () => removeKey(keys, provider))}>
                {busy?.provider === provider && busy.kind === 'remove' ? 'Removing…' : 'Remove'}
              </button>
            </div>
            {shown &&
              (shown.ok ? (
                <p role="status">{shown.text}</p>
              ) : (
                <p className="error" role="alert">
                  {shown.text}
                </p>
              ))}
          </form>
        );
      })}
    </div>
  );
}
