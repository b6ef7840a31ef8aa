/**
 * A version scheme orders the version strings of one packaging ecosystem.
 *
 * `compare` is total wherever the ecosystem's reference implementation is total (dpkg, rpm, apk,
 * Maven, Composer order any string); it throws `ScoutError('invalid-version')` only for schemes
 * whose reference rejects the input and so defines no order for it (SemVer, PEP 440, RubyGems,
 * Go, NuGet). Callers that match advisories catch that error and record a warning.
 */
export interface VersionScheme {
  /** Short scheme id: 'dpkg', 'rpm', 'apk', 'semver', 'pep440', 'maven', 'rubygems', 'golang', 'nuget', 'composer'. */
  readonly name: string;
  /** True when the reference implementation accepts `v` as a version of this scheme. */
  isValid(v: string): boolean;
  /** Negative when a < b, zero when equal, positive when a > b. */
  compare(a: string, b: string): number;
}
