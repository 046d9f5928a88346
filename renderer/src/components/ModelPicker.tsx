// The Run form's model choice: any provider for each debater (several may share one) and for the
// judge, and any model id, typed — with suggestions from the provider's own model list, which the
// server fetches and caches (GET /api/providers/{id}/models), merged with the ids the server knows.
// A listing that fails says so under the field; the typed id is still sent.
import { useEffect, useState } from 'react';
import type { ProviderId, ProviderModels, ProviderStatus } from '../../../shared/api/index.js';
import type { DjpClient } from '../api/client.js';
import { errorMessage } from '../api/client.js';
import { useApp } from '../context.js';

const lists = new WeakMap<DjpClient, Map<ProviderId, Promise<ProviderModels>>>();

/** One request per provider per page load (the server caches too); a failure is asked again next time. */
function providerModels(client: DjpClient, id: ProviderId): Promise<ProviderModels> {
  let byId = lists.get(client);
  if (!byId) lists.set(client, (byId = new Map()));
  let p = byId.get(id);
  if (!p) {
    p = client.listProviderModels(id);
    byId.set(id, p);
    p.catch(() => byId.delete(id));
  }
  return p;
}

export function useModelSuggestions(provider: ProviderStatus | undefined): { models: string[]; note: string | null } {
  const { client } = useApp();
  const [state, setState] = useState<{ id: ProviderId; listed: string[] | null; error: string | null } | null>(null);
  const usable = provider && (provider.configured || provider.id === 'offline');
  useEffect(() => {
    if (!provider || !usable) return;
    let live = true;
    providerModels(client, provider.id).then(
      (r) => live && setState({ id: provider.id, listed: r.models, error: null }),
      (e: unknown) => live && setState({ id: provider.id, listed: null, error: errorMessage(e) }),
    );
    return () => {
      live = false;
    };
  }, [client, provider?.id, usable]);
  if (!provider) return { models: [], note: null };
  const mine = state?.id === provider.id ? state : null;
  const models = [...new Set([...provider.models, ...(mine?.listed ?? [])])];
  const note = mine?.error
    ? `Suggestions unavailable (${mine.error}) — type any model id.`
    : mine?.listed
      ? `${mine.listed.length} model${mine.listed.length === 1 ? '' : 's'} listed by ${provider.label}; any id can be typed.`
      : null;
  return { models, note };
}

/** A model id field with suggestions for one provider. */
export function ModelInput(props: { id: string; label: string; provider: ProviderStatus | undefined; value: string; placeholder: string; onChange: (v: string) => void; disabled?: boolean }) {
  const { models, note } = useModelSuggestions(props.provider);
  const listId = `${props.id}-models`;
  return (
    <div className="model-input">
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="text"
        list={listId}
        value={props.value}
        placeholder={props.placeholder}
        autoComplete="off"
        spellCheck={false}
        disabled={props.disabled}
        aria-describedby={note ? `${props.id}-note` : undefined}
        onChange={(e) => props.onChange(e.target.value)}
      />
      <datalist id={listId}>
        {models.map((m) => (
          <option key={m} value={m} />
        ))}
      </datalist>
      {note && (
        <p className="muted small" id={`${props.id}-note`}>
          {note}
        </p>
      )}
    </div>
  );
}
