// App-wide context: the API client (HTTP or desktop bridge) and the provider list, fetched once.
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import type { ProviderStatus } from '../../shared/api/index.js';
import type { DjpClient } from './api/client.js';
import { errorMessage } from './api/client.js';

interface AppContextValue {
  client: DjpClient;
  providers: ProviderStatus[] | null;
  providersError: string | null;
  reloadProviders: () => void;
}

const Ctx = createContext<AppContextValue | null>(null);

export function AppProvider({ client, children }: { client: DjpClient; children: ReactNode }) {
  const [providers, setProviders] = useState<ProviderStatus[] | null>(null);
  const [providersError, setProvidersError] = useState<string | null>(null);
  const reloadProviders = useCallback(() => {
    setProvidersError(null);
    client.listProviders().then(setProviders, (e: unknown) => setProvidersError(`Could not load providers: ${errorMessage(e)}`));
  }, [client]);
  useEffect(reloadProviders, [reloadProviders]);
  return <Ctx.Provider value={{ client, providers, providersError, reloadProviders }}>{children}</Ctx.Provider>;
}

export function useApp(): AppContextValue {
  const v = useContext(Ctx);
  if (!v) throw new Error('useApp outside AppProvider');
  return v;
}

/** Loads something once per dependency change; returns data, error words and a reload. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data: T | null; error: string | null; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ data: T | null; error: string | null; loading: boolean }>({ data: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    load().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (e: unknown) => live && setState({ data: null, error: errorMessage(e), loading: false }),
    );
    return () => {
      live = false;
    };
    // `load` is a fresh closure each render; the caller's deps say when to run it again.
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}
