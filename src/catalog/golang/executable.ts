/**
 * Just enough of ELF, Mach-O and PE to find named sections and map virtual addresses to file
 * offsets: what Go build info (and cargo-auditable data) lookups need. Every header field is
 * bounds-checked against the buffer; a malformed executable yields no sections, never a throw.
 */

export type ExecutableFormat = 'elf' | 'macho' | 'pe';

export interface Section {
  name: string;
  /** Virtual address (0 when the format does not map it). */
  addr: number;
  offset: number;
  size: number;
}

export interface Executable {
  format: ExecutableFormat;
  littleEndian: boolean;
  /** Pointer size in bytes (4 or 8). */
  ptrSize: number;
  /** File-backed sections (no .bss); at most MAX_SECTIONS. */
  sections: Section[];
  /** Loaded segments: virtual address ranges backed by file bytes. */
  segments: { addr: number; offset: number; size: number }[];
}

const MAX_SECTIONS = 4096;
const MAX_LOAD_COMMANDS = 4096;

/** Which executable format the first bytes announce, if any. */
export function executableFormat(head: Buffer): ExecutableFormat | undefined {
  if (head.length < 4) return undefined;
  const b0 = head[0];
  if (b0 === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46) return 'elf';
  // Asked of every file of every layer: reject text and most data on the first byte.
  if (b0 !== 0xfe && b0 !== 0xce && b0 !== 0xcf && b0 !== 0xca && b0 !== 0x4d) return undefined;
  const be = head.readUInt32BE(0);
  const le = head.readUInt32LE(0);
  if (le === 0xfeedface || le === 0xfeedfacf || be === 0xfeedface || be === 0xfeedfacf) return 'macho';
  // Universal binaries share 0xCAFEBABE with Java class files; a class file's "count" would
  // be its version number (45+), a universal binary has a handful of slices.
  if (be === 0xcafebabe && head.length >= 8 && head.readUInt32BE(4) > 0 && head.readUInt32BE(4) < 20) return 'macho';
  if (head[0] === 0x4d && head[1] === 0x5a) return 'pe';
  return undefined;
}

/** FileAnalyzer.select for analyzers of compiled programs (Go build info, cargo-auditable): any executable. */
export function selectExecutable(_path: string, size: number, head: Buffer): boolean {
  return size > 64 && executableFormat(head) !== undefined;
}

class Reader {
  constructor(
    readonly buf: Buffer,
    readonly le: boolean,
  ) {}
  ok(at: number, n: number): boolean {
    return at >= 0 && Number.isSafeInteger(at) && at + n <= this.buf.length;
  }
  u16(at: number): number {
    return this.le ? this.buf.readUInt16LE(at) : this.buf.readUInt16BE(at);
  }
  u32(at: number): number {
    return this.le ? this.buf.readUInt32LE(at) : this.buf.readUInt32BE(at);
  }
  u64(at: number): number {
    const v = this.le ? this.buf.readBigUInt64LE(at) : this.buf.readBigUInt64BE(at);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
  }
  cstr(at: number, max: number): string {
    const end = Math.min(this.buf.length, at + max);
    let i = at;
    while (i < end && this.buf[i] !== 0) i++;
    return this.buf.toString('latin1', at, i);
  }
}

function parseElf(buf: Buffer): Executable | undefined {
  const is64 = buf[4] === 2;
  // The file header: 52 bytes for ELF32, 64 for ELF64 (its last fields are read below).
  if (buf.length < (is64 ? 64 : 52)) return undefined;
  const le = buf[5] !== 2;
  const r = new Reader(buf, le);
  const shoff = is64 ? r.u64(0x28) : r.u32(0x20);
  const shentsize = r.u16(is64 ? 0x3a : 0x2e);
  const shnum = Math.min(r.u16(is64 ? 0x3c : 0x30), MAX_SECTIONS);
  const shstrndx = r.u16(is64 ? 0x3e : 0x32);
  const phoff = is64 ? r.u64(0x20) : r.u32(0x1c);
  const phentsize = r.u16(is64 ? 0x36 : 0x2a);
  const phnum = Math.min(r.u16(is64 ? 0x38 : 0x2c), MAX_SECTIONS);
  const exe: Executable = { format: 'elf', littleEndian: le, ptrSize: is64 ? 8 : 4, sections: [], segments: [] };

  if (phentsize >= (is64 ? 56 : 32)) {
    for (let i = 0; i < phnum; i++) {
      const at = phoff + i * phentsize;
      if (!r.ok(at, is64 ? 56 : 32)) break;
      if (r.u32(at) !== 1) continue; // PT_LOAD
      const offset = is64 ? r.u64(at + 8) : r.u32(at + 4);
      const addr = is64 ? r.u64(at + 16) : r.u32(at + 8);
      const size = is64 ? r.u64(at + 32) : r.u32(at + 16);
      exe.segments.push({ addr, offset, size });
    }
  }
  const entSize = is64 ? 64 : 40;
  if (shentsize < entSize || shnum === 0) return exe;
  const header = (i: number) => {
    const at = shoff + i * shentsize;
    if (!r.ok(at, entSize)) return undefined;
    return {
      name: r.u32(at),
      type: r.u32(at + 4),
      addr: is64 ? r.u64(at + 16) : r.u32(at + 12),
      offset: is64 ? r.u64(at + 24) : r.u32(at + 16),
      size: is64 ? r.u64(at + 32) : r.u32(at + 20),
    };
  };
  const strtab = header(shstrndx);
  for (let i = 0; i < shnum; i++) {
    const h = header(i);
    if (!h) break;
    if (h.type === 8 || h.type === 0) continue; // SHT_NOBITS, SHT_NULL: no file bytes
    const nameAt = strtab ? strtab.offset + h.name : -1;
    const name = strtab && h.name < strtab.size && r.ok(nameAt, 1) ? r.cstr(nameAt, 256) : '';
    exe.sections.push({ name, addr: h.addr, offset: h.offset, size: h.size });
  }
  return exe;
}

function parseMachO(buf: Buffer, base = 0, depth = 0): Executable | undefined {
  if (!new Reader(buf, true).ok(base, 32)) return undefined;
  const be = buf.readUInt32BE(base);
  if (be === 0xcafebabe && depth === 0) {
    // Universal binary: use the first slice (every slice carries the same module data).
    const n = buf.readUInt32BE(base + 4);
    if (n === 0 || n >= 20 || !new Reader(buf, false).ok(base + 8, 20)) return undefined;
    const offset = buf.readUInt32BE(base + 8 + 8);
    return parseMachO(buf, offset, 1);
  }
  const leMagic = buf.readUInt32LE(base);
  const le = leMagic === 0xfeedface || leMagic === 0xfeedfacf;
  const r = new Reader(buf, le);
  const magic = r.u32(base);
  if (magic !== 0xfeedface && magic !== 0xfeedfacf) return undefined;
  const is64 = magic === 0xfeedfacf;
  const ncmds = Math.min(r.u32(base + 16), MAX_LOAD_COMMANDS);
  const exe: Executable = { format: 'macho', littleEndian: le, ptrSize: is64 ? 8 : 4, sections: [], segments: [] };
  let at = base + (is64 ? 32 : 28);
  for (let i = 0; i < ncmds; i++) {
    if (!r.ok(at, 8)) break;
    const cmd = r.u32(at);
    const size = r.u32(at + 4);
    if (size < 8) break;
    if ((cmd === 0x19 && is64 && r.ok(at, 72)) || (cmd === 0x1 && !is64 && r.ok(at, 56))) {
      const vmaddr = is64 ? r.u64(at + 24) : r.u32(at + 24);
      const fileoff = is64 ? r.u64(at + 40) : r.u32(at + 32);
      const filesize = is64 ? r.u64(at + 48) : r.u32(at + 36);
      exe.segments.push({ addr: vmaddr, offset: base + fileoff, size: filesize });
      const nsects = Math.min(r.u32(at + (is64 ? 64 : 48)), MAX_SECTIONS);
      let s = at + (is64 ? 72 : 56);
      const sectSize = is64 ? 80 : 68;
      for (let j = 0; j < nsects && exe.sections.length < MAX_SECTIONS; j++, s += sectSize) {
        if (!r.ok(s, sectSize)) break;
        const name = r.cstr(s, 16);
        const addr = is64 ? r.u64(s + 32) : r.u32(s + 32);
        const sz = is64 ? r.u64(s + 40) : r.u32(s + 36);
        const off = r.u32(s + (is64 ? 48 : 40));
        const flags = r.u32(s + (is64 ? 64 : 56));
        if ((flags & 0xff) === 0x1 || (flags & 0xff) === 0xc) continue; // zerofill: no file bytes
        exe.sections.push({ name, addr, offset: base + off, size: sz });
      }
    }
    at += size;
  }
  return exe;
}

function parsePe(buf: Buffer): Executable | undefined {
  const r = new Reader(buf, true);
  if (!r.ok(0x3c, 4)) return undefined;
  const pe = r.u32(0x3c);
  if (!r.ok(pe, 24) || buf.readUInt32BE(pe) !== 0x50450000) return undefined;
  const nsects = Math.min(r.u16(pe + 6), MAX_SECTIONS);
  const optSize = r.u16(pe + 20);
  const opt = pe + 24;
  if (!r.ok(opt, 32)) return undefined;
  const optMagic = r.u16(opt);
  const is64 = optMagic === 0x20b;
  const imageBase = is64 ? (r.ok(opt + 24, 8) ? r.u64(opt + 24) : 0) : r.u32(opt + 28);
  const exe: Executable = { format: 'pe', littleEndian: true, ptrSize: is64 ? 8 : 4, sections: [], segments: [] };
  let s = opt + optSize;
  for (let i = 0; i < nsects; i++, s += 40) {
    if (!r.ok(s, 40)) break;
    const name = r.cstr(s, 8);
    const vsize = r.u32(s + 8);
    const vaddr = r.u32(s + 12);
    const rawSize = r.u32(s + 16);
    const rawPtr = r.u32(s + 20);
    const size = Math.min(vsize || rawSize, rawSize);
    exe.sections.push({ name, addr: imageBase + vaddr, offset: rawPtr, size });
    exe.segments.push({ addr: imageBase + vaddr, offset: rawPtr, size });
  }
  return exe;
}

export function parseExecutable(buf: Buffer): Executable | undefined {
  switch (executableFormat(buf.subarray(0, 8))) {
    case 'elf':
      return parseElf(buf);
    case 'macho':
      return parseMachO(buf);
    case 'pe':
      return parsePe(buf);
    default:
      return undefined;
  }
}

/** The bytes of a section, clamped to the file; undefined when absent or out of range. */
export function sectionData(buf: Buffer, s: Section | undefined): Buffer | undefined {
  if (!s || s.offset < 0 || s.offset >= buf.length) return undefined;
  return buf.subarray(s.offset, Math.min(buf.length, s.offset + s.size));
}

/** File offset of a virtual address, via sections first, then loaded segments. */
export function addrToOffset(exe: Executable, addr: number): number | undefined {
  for (const s of exe.sections) if (s.addr && addr >= s.addr && addr < s.addr + s.size) return s.offset + (addr - s.addr);
  for (const s of exe.segments) if (addr >= s.addr && addr < s.addr + s.size) return s.offset + (addr - s.addr);
  return undefined;
}
