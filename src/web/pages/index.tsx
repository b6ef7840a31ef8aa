/** Which page each URL shows. Patterns are matched in order; the first match wins. */
import type { ReactNode } from 'react';
import { Overview } from './overview';

export const pages: [string, (p: Record<string, string>) => ReactNode][] = [
  ['/', () => <Overview />],
];
