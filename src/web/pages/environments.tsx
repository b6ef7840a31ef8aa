/** Environments and their workloads (cluster, namespace, name, type) with the images running there. */
import { Empty } from '../components/common';

export function Environments() {
  return (
    <>
      <h1>Environments</h1>
      <Empty>
        This server does not record environments yet. Once it does, <code>scout environment ENV IMAGE</code> and the runtime integration fill this page with
        workloads and their images.
      </Empty>
    </>
  );
}
