/** Overview: the organisation's vulnerabilities at a glance. */
import { Empty } from '../components/common';

export function Overview() {
  return (
    <>
      <h1>Overview</h1>
      <Empty>No images yet. Push one with <code>scout push IMAGE</code>.</Empty>
    </>
  );
}
