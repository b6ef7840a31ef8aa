import type { AnalyzerKey } from '../../image/capture.js';
import type { CatalogerSpec } from '../types.js';

/** METADATA of big projects carries the whole README; past this it is not read (with a warning). */
export const MAX_METADATA_BYTES = 4 * 1024 * 1024;
const MAX_RECORD_BYTES = 16 * 1024 * 1024;
const MAX_SMALL_BYTES = 1024 * 1024;
const MAX_LICENSE_BYTES = 256 * 1024;

/** Reads EGG-INFO/PKG-INFO (and top_level.txt, requires.txt) out of a zipped .egg. */
export const EGG_ZIP: AnalyzerKey = { name: 'python-egg-zip', version: 1, maxSize: 256 * 1024 * 1024 };

export const pythonSpec = {
  name: 'python-package-cataloger',
  capture: {
    selectors: [
      { globs: ['**/*dist-info/METADATA', '**/*egg-info/PKG-INFO', '**/EGG-INFO/PKG-INFO', '**/*.egg-info'], maxSize: MAX_METADATA_BYTES },
      { globs: ['**/*dist-info/RECORD', '**/*egg-info/installed-files.txt'], maxSize: MAX_RECORD_BYTES },
      {
        globs: [
          '**/*dist-info/{top_level.txt,direct_url.json,INSTALLER}',
          '**/*egg-info/{top_level.txt,requires.txt,INSTALLER}',
          '**/EGG-INFO/{top_level.txt,requires.txt}',
        ],
        maxSize: MAX_SMALL_BYTES,
      },
      { globs: ['**/*dist-info/{LICENSE,LICENCE,COPYING}*', '**/*dist-info/licenses/**'], maxSize: MAX_LICENSE_BYTES },
    ],
    analyzers: [EGG_ZIP],
  },
} satisfies CatalogerSpec;
