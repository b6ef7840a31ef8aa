/**
 * Loads one `/v1` resource for a component; a new path aborts the previous request. With `post`,
 * the resource is a POST of that JSON body that only reads (POST /v1/recommendations): the body
 * is part of what is loaded, so a new body loads again.
 *
 * The request starts in a layout effect, which React runs as it commits the render, before the
 * browser lays it out and paints it. A passive effect (useEffect) runs after that paint, so each
 * page's data was not asked for until its frame had painted (in a fresh Chromium, with fonts
 * looked up and the script compiled, hundreds of milliseconds on a loaded machine); now the
 * server answers while the browser paints.
 */
import { useCallback, useLayoutEffect, useState } from 'react';
import { api, ApiError } from './api';

export interface Loaded<T> {
  data?: T;
  error?: ApiError | Error;
  loading: boolean;
  reload: () => void;
}

export function useApi<T>(path: string | undefined, post?: unknown): Loaded<T> {
  const [state, setState] = useState<{ key?: string; data?: T; error?: Error }>({});
  const [tick, setTick] = useState(0);
  const body = post === undefined ? undefined : JSON.stringify(post);
  const key = path === undefined ? undefined : `${path} ${body ?? ''}`;
  useLayoutEffect(() => {
    if (path === undefined) return;
    const ctl = new AbortController();
    const init = body === undefined ? { signal: ctl.signal } : { method: 'POST', body: JSON.parse(body) as unknown, signal: ctl.signal };
    api<T>(path, init).then(
      (data) => setState({ key, data }),
      (error: Error) => {
        if (error.name !== 'AbortError') setState({ key, error });
      },
    );
    return () => ctl.abort();
  }, [path, body, key, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const current = state.key === key;
  return {
    data: current ? state.data : undefined,
    error: current ? state.error : undefined,
    loading: path !== undefined && !current,
    reload,
  };
}
