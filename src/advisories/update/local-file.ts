/**
 * `file:` URLs for feed updates: an air-gapped site copies the feeds into a directory (each under
 * its original path, as for an HTTP mirror) and points the mirror at it. A local file answers as
 * a server would: its size and modification time stand for an ETag, so an unchanged file is
 * "not modified" and costs no import; a missing one is a 404 (an OSV directory without
 * modified_id.csv then falls back to all.zip, as with an HTTP mirror).
 */
import { copyFile, mkdir, readFile, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DownloadError, type DownloadResult, type FetchOptions, type Validators } from './fetch.js';

/** What the local file stands for: a path and the validators an HTTP server would send for it. */
async function localFile(url: string, opts: FetchOptions, maxBytes: number): Promise<{ path: string; size: number; validators: Validators; unchanged: boolean }> {
  let path: string;
  try {
    path = fileURLToPath(url);
  } catch (err) {
    throw new DownloadError('download-bad-url', `${url}: not a local file URL (${(err as Error).message})`, url, false);
  }
  const st = await stat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') throw new DownloadError('download-http', `${path}: no such file in the mirror directory`, url, false, 404);
    throw new DownloadError('download-network', `${path}: cannot read: ${err.message}`, url, false, undefined, err);
  });
  if (!st.isFile()) throw new DownloadError('download-http', `${path}: not a file`, url, false, 404);
  if (st.size > maxBytes) throw new DownloadError('download-too-large', `${path}: ${st.size} bytes is over the ${maxBytes}-byte limit`, url, false);
  const validators: Validators = { etag: `"${st.size}-${Math.trunc(st.mtimeMs)}"`, lastModified: st.mtime.toUTCString() };
  return { path, size: st.size, validators, unchanged: opts.validators?.etag === validators.etag };
}

export async function downloadLocalFile(url: string, dest: string, opts: FetchOptions, maxBytes: number): Promise<DownloadResult> {
  const f = await localFile(url, opts, maxBytes);
  if (f.unchanged) return { status: 'not-modified', url };
  // Copied, not read in place: the import must not see a file the mirror sync is rewriting.
  await mkdir(dirname(dest), { recursive: true });
  await copyFile(f.path, `${dest}.part`);
  await rename(`${dest}.part`, dest);
  opts.onProgress?.({ url, bytes: f.size, total: f.size });
  return { status: 'ok', url, path: dest, bytes: f.size, validators: f.validators };
}

export async function readLocalFile(url: string, opts: FetchOptions, maxBytes: number): Promise<{ status: 'not-modified' } | { status: 'ok'; body: Buffer; validators: Validators }> {
  const f = await localFile(url, opts, maxBytes);
  if (f.unchanged) return { status: 'not-modified' };
  const body = await readFile(f.path);
  if (body.length > maxBytes) throw new DownloadError('download-too-large', `${f.path}: grew past the ${maxBytes}-byte limit`, url, false);
  return { status: 'ok', body, validators: f.validators };
}
