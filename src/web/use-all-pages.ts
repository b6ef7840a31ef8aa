/**
 * Every item of a server-paged list, for a view that needs the whole of a short list at once
 * (an image's layer chain for its recommendations, the advisory sources' freshness): follows
 * the `next` cursors to the end, 500 at a time, as one load. The first page's other fields
 * stay (the advisory sources' `maxAgeDays`). Started in a layout effect, as useApi's requests
 * are: before the browser paints, not after.
 */
import { useCallback, useLayoutEffect, useState } from 'react';
import { api } from './api';
import type { Loaded } from './use-api';

type Paged<T> = { items: T[]; next?: string };

export function useAllPages<T, P extends Paged<T> = Paged<T>>(path: string | undefined): Loaded<P> {
  const [state, setState] = useState<{ key?: string; data?: P; error?: Error }>({});
  const [tick, setTick] = useState(0);
  useLayoutEffect(() => {
    if (path === undefined) return;
    const ctl = new AbortController();
    const pageOf = (cursor?: string) => api<P>(`${path}${path.includes('?') ? '&' : '?'}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { signal: ctl.signal });
    (async () => {
      const first = await pageOf();
      const items = [...first.items];
      for (let next = first.next; next; ) {
        const p = await pageOf(next);
        for (const item of p.items) items.push(item);
        next = p.next;
      }
      const { next: _last, ...rest } = first;
      return { ...rest, items } as P;
    })().then(
      (data) => setState({ key: path, data }),
      (error: Error) => {
        if (error.name !== 'AbortError') setState({ key: path, error });
      },
    );
    return () => ctl.abort();
  }, [path, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const current = state.key === path;
  return { data: current ? state.data : undefined, error: current ? state.error : undefined, loading: path !== undefined && !current, reload };
}
