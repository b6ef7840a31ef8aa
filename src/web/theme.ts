/** Light and dark themes: the system's choice until the user picks one, kept in localStorage. */
export type Theme = 'light' | 'dark';
const KEY = 'scout.theme';

export function initialTheme(): Theme {
  const saved = localStorage.getItem(KEY);
  if (saved === 'light' || saved === 'dark') return saved;
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function applyTheme(t: Theme, remember: boolean): void {
  document.documentElement.dataset.theme = t;
  if (remember) localStorage.setItem(KEY, t);
}
