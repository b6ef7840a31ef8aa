import { constants, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { ScoutError } from './errors.js';

/** What a file system object is, in words: "a FIFO (named pipe)", "a character device"… */
export function fileKind(st: Stats): string {
  if (st.isFile()) return 'a regular file';
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

/**
 * Open a file for reading only if it is a regular file. Opening a FIFO for reading blocks
 * until something writes to it (a hang), and a device may never end: the file is opened
 * without blocking, checked, and refused with an error saying what it is. `what` names it in
 * errors ("OCI layout ./x: index.json").
 */
export async function openRegular(path: string, what: string): Promise<FileHandle> {
  const fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch((err: NodeJS.ErrnoException) => {
    throw new ScoutError('not-found', `${what}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, { cause: err });
  });
  const st = await fh.stat();
  if (!st.isFile()) {
    await fh.close();
    throw new ScoutError('not-a-file', `${what} is ${fileKind(st)}, not a regular file; refusing to read it`);
  }
  return fh;
}
