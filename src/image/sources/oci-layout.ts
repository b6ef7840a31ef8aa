import { access, realpath } from 'node:fs/promises';
import { openRegular } from '../../util/regular-file.js';
import { join, resolve, sep } from 'node:path';
import { ScoutError } from '../../util/errors.js';
import type { Image, ImageSource, OpenOptions } from '../types.js';
import { openLayout, type LayoutReader } from './oci-common.js';
import { BLOB_READ_BYTES } from '../limits.js';

/** An OCI image layout folder (oci-layout + index.json + blobs/). */
export function folderReader(dir: string): LayoutReader {
  const root = resolve(dir);
  // A blob path that is a symlink must not lead out of the layout folder.
  const confined = async (rel: string): Promise<string> => {
    const p = await realpath(join(root, rel)).catch(() => {
      throw new ScoutError('missing-blob', `OCI layout ${dir}: ${rel} does not exist`);
    });
    const realRoot = await realpath(root);
    if (p !== realRoot && !p.startsWith(realRoot + sep)) throw new ScoutError('path-escape', `OCI layout ${dir}: ${rel} points outside the layout`);
    return p;
  };
  return {
    describe: `OCI layout ${dir}`,
    async read(rel, maxSize) {
      const fh = await openRegular(await confined(rel), `OCI layout ${dir}: ${rel}`);
      try {
        const st = await fh.stat();
        if (st.size > maxSize) throw new ScoutError('member-too-large', `OCI layout ${dir}: ${rel} is ${st.size} bytes, over ${maxSize}`);
        const buf = Buffer.alloc(st.size);
        await fh.read(buf, 0, st.size, 0);
        return buf;
      } finally {
        await fh.close();
      }
    },
    async stream(rel) {
      const fh = await openRegular(await confined(rel), `OCI layout ${dir}: ${rel}`);
      return fh.createReadStream({ highWaterMark: BLOB_READ_BYTES });
    },
    async exists(rel) {
      return access(join(root, rel)).then(
        () => true,
        () => false,
      );
    },
  };
}

export const ociLayoutSource: ImageSource = {
  kind: 'oci-layout',
  open(location: string, opts: OpenOptions): Promise<Image> {
    return openLayout(folderReader(location), 'oci-layout', `oci-dir://${location}`, opts);
  },
};
