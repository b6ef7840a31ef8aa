/**
 * NuGet versions, ordered as NuGet.Versioning's default VersionComparer. Written here.
 *
 * Rules worth knowing:
 * - Up to four numeric parts (legacy System.Version style); missing parts are 0, leading zeros
 *   do not count: '1.0' = '1.0.0.0', '1.23.01' = '1.23.1'.
 * - A release label makes a pre-release, older than the release: '1.0.0-beta' < '1.0.0'.
 *   Labels compare case-insensitively ('1.0.0-BETA' = '1.0.0-beta'), part by part: numeric parts
 *   numerically and before alphanumeric ones, alphanumeric parts as strings ('1.50A' < '1.9A').
 * - Build metadata after '+' is ignored.
 * Strings that NuGet cannot parse throw ScoutError('invalid-version'). Unlike NuGet (int32), parts
 * of any length are accepted and compared exactly.
 */
import { ScoutError } from '../util/errors.js';
import type { VersionScheme } from './types.js';
import { compareDigitStrings } from './digits.js';

const IDENT = '[0-9A-Za-z-]+';
const NUGET = new RegExp(`^([0-9]+(?:\\.[0-9]+){0,3})(?:-(${IDENT}(?:\\.${IDENT})*))?(?:\\+${IDENT}(?:\\.${IDENT})*)?$`);

interface NuGetVersion {
  parts: string[];
  label: string[];
}

function parse(v: string): NuGetVersion | undefined {
  const m = NUGET.exec(v.trim());
  if (!m) return undefined;
  return { parts: m[1].split('.'), label: m[2] === undefined ? [] : m[2].split('.') };
}

function mustParse(v: string): NuGetVersion {
  const parsed = parse(v);
  if (!parsed) throw new ScoutError('invalid-version', `not a NuGet version: ${JSON.stringify(v.slice(0, 100))}`);
  return parsed;
}

function compareLabelPart(a: string, b: string): number {
  const an = /^[0-9]+$/.test(a);
  const bn = /^[0-9]+$/.test(b);
  if (an && bn) return compareDigitStrings(a, b);
  if (an !== bn) return an ? -1 : 1;
  const x = a.toUpperCase();
  const y = b.toUpperCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

export function compareNuget(a: string, b: string): number {
  const x = mustParse(a);
  const y = mustParse(b);
  for (let i = 0; i < 4; i++) {
    const c = compareDigitStrings(x.parts[i] ?? '0', y.parts[i] ?? '0');
    if (c !== 0) return c;
  }
  if (x.label.length === 0 || y.label.length === 0) {
    return x.label.length === y.label.length ? 0 : x.label.length === 0 ? 1 : -1;
  }
  for (let i = 0; i < Math.min(x.label.length, y.label.length); i++) {
    const c = compareLabelPart(x.label[i], y.label[i]);
    if (c !== 0) return c;
  }
  return x.label.length === y.label.length ? 0 : x.label.length < y.label.length ? -1 : 1;
}

export const nugetScheme: VersionScheme = {
  name: 'nuget',
  isValid: (v) => parse(v) !== undefined,
  compare: compareNuget,
};
