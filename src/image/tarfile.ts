import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { ScoutError } from '../util/errors.js';
import { checksumOk, num, parsePax, str } from './layer/tar-header.js';
import { confineTarPath } from './layer/tar-path.js';
import { BLOB_READ_BYTES } from './limits.js';

export interface TarMember {
  name: string;
  type: string;
  offset: number;
  size: number;
  linkname?: string;
}

const BLOCK = 512;
const MAX_MEMBERS = 1_000_000;

/**
 * Random access into an uncompressed tar file (a docker-archive or OCI archive): one pass over
 * the headers, seeking past contents, then any member can be streamed by offset. This avoids
 * extracting an archive to disk just to find its manifest.
 */
export class TarFile {
  private constructor(
    readonly path: string,
    private readonly members: Map<string, TarMember>,
  ) {}

  static async open(path: string): Promise<TarFile> {
    const fh = await open(path, 'r');
    try {
      const st = await fh.stat();
      const members = new Map<string, TarMember>();
      const header = Buffer.alloc(BLOCK);
      let pos = 0;
      let longName: string | undefined;
      let pax: Record<string, string> = {};
      let count = 0;
      while (pos + BLOCK <= st.size) {
        await readExactly(fh, header, pos, path);
        if (header.every((b) => b === 0)) break;
        if (!checksumOk(header)) throw new ScoutError('corrupt-archive', `${path}: tar header checksum fails at offset ${pos}`);
        if (++count > MAX_MEMBERS) throw new ScoutError('corrupt-archive', `${path}: more than ${MAX_MEMBERS} members`);
        const size = num(header, 124, 12);
        if (!Number.isSafeInteger(size)) throw new ScoutError('corrupt-archive', `${path}: bad size field in the tar header at offset ${pos}`);
        const type = String.fromCharCode(header[156] || 0x30);
        const dataPos = pos + BLOCK;
        if (dataPos + size > st.size) throw new ScoutError('truncated-archive', `${path}: archive is truncated (member at offset ${pos} needs ${size} bytes)`);
        const next = dataPos + Math.ceil(size / BLOCK) * BLOCK;
        if (type === 'L' || type === 'x' || type === 'g') {
          if (size > 1024 * 1024) throw new ScoutError('corrupt-archive', `${path}: oversized extended header at offset ${pos}`);
          const data = Buffer.alloc(size);
          await readExactly(fh, data, dataPos, path);
          if (type === 'L') longName = str(data, 0, size);
          else if (type === 'x') pax = parsePax(data);
          pos = next;
          continue;
        }
        const prefix = header.toString('latin1', 257, 263).startsWith('ustar') ? str(header, 345, 155) : '';
        const raw = pax.path ?? longName ?? (prefix ? prefix + '/' + str(header, 0, 100) : str(header, 0, 100));
        const realSize = pax.size !== undefined ? paxSize(pax.size, raw, pos, path) : size;
        longName = undefined;
        pax = {};
        if (dataPos + realSize > st.size) throw new ScoutError('truncated-archive', `${path}: member "${raw}" (at offset ${pos}) claims ${realSize} bytes, past the end of the archive`);
        const { path: name } = confineTarPath(raw);
        if (name) {
          const key = name.slice(1);
          members.set(key, { name: key, type, offset: dataPos, size: realSize, linkname: str(header, 157, 100) || undefined });
        }
        pos = next;
      }
      return new TarFile(path, members);
    } finally {
      await fh.close();
    }
  }

  /** A member by its path in the archive ('./' and leading '/' ignored); links followed once. */
  get(name: string): TarMember | undefined {
    const key = confineTarPath(name).path?.slice(1) ?? '';
    const m = this.members.get(key);
    if (m && (m.type === '1' || m.type === '2') && m.linkname) return this.members.get(confineTarPath(m.linkname).path?.slice(1) ?? '');
    return m;
  }

  names(): string[] {
    return [...this.members.keys()];
  }

  async read(name: string, maxSize: number): Promise<Buffer> {
    const m = this.require(name);
    if (m.size > maxSize) throw new ScoutError('member-too-large', `${this.path}: ${name} is ${m.size} bytes, over the ${maxSize}-byte limit`);
    const fh = await open(this.path, 'r');
    try {
      const buf = Buffer.alloc(m.size);
      await readExactly(fh, buf, m.offset, this.path);
      return buf;
    } finally {
      await fh.close();
    }
  }

  stream(name: string): Readable {
    const m = this.require(name);
    if (m.size === 0) return createReadStream(this.path, { start: 0, end: -1 });
    return createReadStream(this.path, { start: m.offset, end: m.offset + m.size - 1, highWaterMark: BLOB_READ_BYTES });
  }

  private require(name: string): TarMember {
    const m = this.get(name);
    if (!m) throw new ScoutError('missing-member', `${this.path}: archive has no ${name}`);
    return m;
  }
}

/** A pax `size` must be a plain decimal count of bytes; anything else names the member it came with. */
function paxSize(value: string, member: string, pos: number, path: string): number {
  const n = /^\d{1,16}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw new ScoutError('corrupt-archive', `${path}: member "${member}" (at offset ${pos}) has an invalid pax size "${value.slice(0, 40)}": not a whole number of bytes`);
  return n;
}

async function readExactly(fh: FileHandle, buf: Buffer, pos: number, path: string): Promise<void> {
  const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
  if (bytesRead !== buf.length) throw new ScoutError('truncated-archive', `${path}: archive is truncated at offset ${pos}`);
}
