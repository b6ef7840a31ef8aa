/**
 * Sign in with an API token: the server checks it and answers with an HttpOnly session cookie,
 * so the token never stays in the page (nor in localStorage).
 */
import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';

export async function signOut(): Promise<void> {
  await api('/session', { method: 'DELETE' }).catch(() => undefined);
}

export function Login({ onSignedIn }: { onSignedIn: () => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api('/session', { method: 'POST', body: { token: token.trim() } });
      setToken('');
      onSignedIn();
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? 'That token was not accepted.' : (err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="login panel" id="main">
      <h1>Sign in to iEchor Scout</h1>
      <p className="muted">
        Paste an API token (<code>scout server token create --org ORG --scope read</code>). Read scope is enough to look around.
      </p>
      <form onSubmit={(e) => void submit(e)}>
        <label htmlFor="token">API token</label>
        <input id="token" name="token" type="password" autoComplete="off" autoFocus required value={token} onChange={(e) => setToken(e.target.value)} />
        <button className="primary" type="submit" disabled={busy || !token.trim()}>
          Sign in
        </button>
        {error && (
          <div className="error" role="alert">
            {error}
          </div>
        )}
      </form>
    </main>
  );
}
