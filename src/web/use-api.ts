/** Loads one `/v1` resource for a component; a new path aborts the previous request. */
import { useCallback, useEffect, useState } from 'react';
import { api, ApiError } from './api';

export interface Loaded<T> {
  data?: T;
  error?: ApiError | Error;
  loading: boolean;
  reload: () => void;
}

export function useApi<T>(path: string | undefined): Loaded<T> {
  const [state, setState] = useState<{ path?: string; data?: T; error?: Error }>({});
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (path === undefined) return;
    const ctl = new AbortController();
    api<T>(path, { signal: ctl.signal }).then(
      (data) => setState({ path, data }),
      (error: Error) => {
        if (error.name !== 'AbortError') setState({ path, error });
      },
    );
    return () => ctl.abort();
  }, [path, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const current = state.path === path;
  return {
    data: current ? state.data : undefined,
    error: current ? state.error : undefined,
    loading: path !== undefined && !current,
    reload,
  };
}
