/**
 * The dashboard's only way to the server: documented `/v1` routes, same origin, the session
 * cookie sent by the browser (HttpOnly: this code never sees a token after login).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const listeners = new Set<() => void>();
/** Called when the server answers 401: the session ended or never existed. */
export function onUnauthorized(f: () => void): () => void {
  listeners.add(f);
  return () => listeners.delete(f);
}

export async function api<T>(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  const res = await fetch(`/v1${path}`, {
    method: init.method ?? 'GET',
    credentials: 'same-origin',
    headers: init.body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: init.signal,
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    if (res.status === 401) for (const f of listeners) f();
    const e = (body ?? {}) as { code?: string; message?: string };
    throw new ApiError(res.status, e.code ?? `http-${res.status}`, e.message ?? `${res.status} ${res.statusText}`);
  }
  return body as T;
}
