/**
 * A row of tabs that are links (each tab is a URL, so it can be shared and opened in a new
 * window). Tab and Shift+Tab reach every one; the arrow keys, Home and End also move between
 * them, as in a tab list, and Enter opens the focused one.
 */
import type { KeyboardEvent } from 'react';
import { Link } from '../router';

export function TabNav({ label, tabs, current }: { label: string; tabs: { id: string; label: string; href: string }[]; current: string }) {
  const move = (e: KeyboardEvent<HTMLElement>) => {
    const links = [...e.currentTarget.querySelectorAll('a')];
    const at = links.indexOf(document.activeElement as HTMLAnchorElement);
    if (at < 0) return;
    const to = e.key === 'ArrowRight' ? (at + 1) % links.length : e.key === 'ArrowLeft' ? (at - 1 + links.length) % links.length : e.key === 'Home' ? 0 : e.key === 'End' ? links.length - 1 : -1;
    if (to < 0) return;
    e.preventDefault();
    links[to]!.focus();
  };
  return (
    <nav className="tabs" aria-label={label} onKeyDown={move}>
      {tabs.map((t) => (
        <Link key={t.id} to={t.href} aria-current={current === t.id ? 'page' : undefined}>
          {t.label}
        </Link>
      ))}
    </nav>
  );
}
