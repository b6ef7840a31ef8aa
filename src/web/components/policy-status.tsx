/** A policy status (pass, fail, unknown, error) as a coloured pill: the images list and the Policy tab use it. */
const STATUS_CLASS: Record<string, string> = { pass: ' ok', fail: ' bad', error: ' bad' };

export function PolicyStatus({ status }: { status: string }) {
  return <span className={`pill${STATUS_CLASS[status] ?? ''}`}>{status}</span>;
}
