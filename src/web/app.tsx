/**
 * The dashboard's frame: navigation, theme switch, sign-in gate, and which page the URL names.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { onUnauthorized } from './api';
import { Link, match, useRoute } from './router';
import { applyTheme, initialTheme, type Theme } from './theme';
import { useApi } from './use-api';
import type { Session } from './session';
import { Login, signOut } from './pages/login';
import { pages } from './pages';

const NAV: [string, string][] = [
  ['/', 'Overview'],
  ['/images', 'Images'],
  ['/vulnerabilities', 'Vulnerabilities'],
  ['/packages', 'Packages'],
  ['/base-images', 'Base images'],
  ['/environments', 'Environments'],
  ['/settings', 'Settings'],
];

export function App() {
  const session = useApi<Session>('/whoami');
  const [signedOut, setSignedOut] = useState(false);
  useEffect(() => onUnauthorized(() => setSignedOut(true)), []);
  // The page and the session load side by side (the page's own requests answer 401 when no
  // one is signed in), so a page costs one round trip, not two.
  if (signedOut || session.error)
    return (
      <Login
        onSignedIn={() => {
          setSignedOut(false);
          session.reload();
        }}
      />
    );
  return <Shell session={session.data} onSignedOut={() => setSignedOut(true)} />;
}

function Shell({ session, onSignedOut }: { session?: Session; onSignedOut: () => void }) {
  const { path } = useRoute();
  const [theme, setTheme] = useState<Theme>(initialTheme);
  const toggle = () => {
    const t = theme === 'dark' ? 'light' : 'dark';
    applyTheme(t, true);
    setTheme(t);
  };
  let page: ReactNode = <NotFound />;
  for (const [pattern, render] of pages) {
    const params = match(pattern, path);
    if (params) {
      page = render(params);
      break;
    }
  }
  const section = NAV.filter(([to]) => (to === '/' ? path === '/' : path === to || path.startsWith(to + '/'))).at(-1)?.[0];
  useEffect(() => {
    const h1 = document.querySelector('main h1');
    document.title = `${h1?.textContent ?? 'Dashboard'} · iEchor Scout`;
  });
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <aside className="side">
        <div className="brand">
          iEchor Scout <span>dashboard</span>
        </div>
        <nav className="nav" aria-label="sections">
          {NAV.map(([to, label]) => (
            <Link key={to} to={to} aria-current={section === to ? 'page' : undefined}>
              {label}
            </Link>
          ))}
        </nav>
      </aside>
      <div className="main">
        <div className="topbar">
          {session && (
            <span>
              <strong>{session.org.name}</strong> · {session.token.name} ({session.token.scope})
            </span>
          )}
          <button type="button" onClick={toggle} aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}>
            {theme === 'dark' ? 'Light theme' : 'Dark theme'}
          </button>
          <button type="button" onClick={() => void signOut().then(onSignedOut)}>
            Sign out
          </button>
        </div>
        <main id="main" tabIndex={-1}>
          {page}
        </main>
      </div>
    </div>
  );
}

function NotFound() {
  return (
    <>
      <h1>Page not found</h1>
      <p>
        <Link to="/">Back to the overview</Link>
      </p>
    </>
  );
}
