import type { FileAnalyzer } from '../../image/capture.js';
import { listZip, looksLikeZip, readZipEntry } from '../../util/zip.js';

/** What the layer pass keeps of a zipped .egg: its metadata files as text. */
export interface EggZipResult {
  pkgInfo: string;
  topLevel?: string;
  requires?: string;
}

import { EGG_ZIP } from './spec.js';

export const EGG_ANALYZER = EGG_ZIP.name;
const MAX_MEMBER = 4 * 1024 * 1024;

/** Reads EGG-INFO/PKG-INFO (and top_level.txt, requires.txt) out of a zipped .egg. */
export const eggZipAnalyzer: FileAnalyzer = {
  ...EGG_ZIP,
  select(path, _size, head) {
    return path.endsWith('.egg') && looksLikeZip(head);
  },
  analyze(content, path): EggZipResult | undefined {
    const entries = listZip(content, { archiveName: path, maxEntries: 200_000 });
    const read = (name: string): string | undefined => {
      const e = entries.find((x) => x.name === name);
      return e ? readZipEntry(content, e, { maxSize: MAX_MEMBER, archiveName: path }).toString('utf8') : undefined;
    };
    const pkgInfo = read('EGG-INFO/PKG-INFO');
    if (pkgInfo === undefined) return undefined;
    const out: EggZipResult = { pkgInfo };
    const topLevel = read('EGG-INFO/top_level.txt');
    if (topLevel !== undefined) out.topLevel = topLevel;
    const requires = read('EGG-INFO/requires.txt');
    if (requires !== undefined) out.requires = requires;
    return out;
  },
};
