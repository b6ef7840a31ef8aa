/**
 * A time span as people read it in a status line or a warning: seconds and minutes for a fresh
 * import, hours within two days, then whole days (a limit under a day read "0.0 days" before).
 */
export function formatAge(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'an unknown time';
  const s = Math.max(0, Math.round(seconds));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 2 * 86400) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} days`;
}
