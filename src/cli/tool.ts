import { readFileSync } from 'node:fs';

let cached: { name: string; version: string } | undefined;

/** This program's name and version, as reports name the scanner. */
export function toolInfo(): { name: string; version: string } {
  cached ??= { name: 'iechor-scout', version: (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version };
  return cached;
}
