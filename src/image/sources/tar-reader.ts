import { ScoutError } from '../../util/errors.js';
import { TarFile } from '../tarfile.js';
import type { LayoutReader } from './oci-common.js';

/** An OCI layout stored inside a tar file, read in place. */
export function tarLayoutReader(tar: TarFile, describe: string): LayoutReader {
  return {
    describe,
    read: (rel, max) => tar.read(rel, max),
    stream: async (rel) => {
      if (!tar.get(rel)) throw new ScoutError('missing-blob', `${describe}: archive has no ${rel}`);
      return tar.stream(rel);
    },
    exists: async (rel) => tar.get(rel) !== undefined,
  };
}
