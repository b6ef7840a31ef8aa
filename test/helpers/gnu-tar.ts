/**
 * Layer tars written by the real GNU tar, not by our own test builder: the header layouts a
 * scanner meets in the wild (pax, ustar with its name prefix, GNU long-name entries), with the
 * member order chosen by the caller.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tempDir } from './tmp.js';

export type TarFormat = 'pax' | 'ustar' | 'gnu' | 'oldgnu';

/** What goes in the folder tar reads: a file's content, a symlink target, a folder, a hard link or a FIFO. */
export type GnuTarEntry = string | { symlink: string } | { dir: true } | { hardlink: string } | { fifo: true };

/**
 * Writes `entries` into a fresh folder and has GNU tar archive them in exactly that order
 * (`--no-recursion`, so a folder entry is only its header), with fixed owners and times.
 */
export function gnuTar(entries: [string, GnuTarEntry][], format: TarFormat): Buffer {
  const root = tempDir('scout-gnutar-');
  for (const [name, e] of entries) {
    const p = join(root, name);
    if (typeof e === 'string') {
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, e);
    } else if ('dir' in e) {
      mkdirSync(p, { recursive: true });
    } else {
      mkdirSync(dirname(p), { recursive: true });
      if ('symlink' in e) symlinkSync(e.symlink, p);
      // A named pipe is archived as its header only (tar type '6'), as in images that ship one.
      else if ('fifo' in e) execFileSync('mkfifo', [p]);
      else writeFileSync(p, '');
    }
  }
  // Hard links: tar writes a link entry for a second name of the same inode.
  for (const [name, e] of entries) {
    if (typeof e === 'object' && 'hardlink' in e) {
      execFileSync('ln', ['-f', join(root, e.hardlink), join(root, name)]);
    }
  }
  const names = entries.map(([n]) => n);
  return execFileSync('tar', ['-C', root, `--format=${format}`, '--owner=0', '--group=0', '--numeric-owner', '--mtime=2024-01-01 00:00:00Z', '--no-recursion', '-cf', '-', '--', ...names], { maxBuffer: 1 << 28 });
}
