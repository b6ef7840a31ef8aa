/**
 * Builds minimal but well-formed ELF, Mach-O and PE executables carrying Go build info in
 * either layout (Go 1.18+ inline strings, or the older pointers to Go string headers), and
 * arbitrary named sections (for cargo-auditable's .dep-v0).
 */

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const INFO_START = Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex');
const INFO_END = Buffer.from('f932433186182072008242104116d8f2', 'hex');

export type ExeFormat = 'elf' | 'macho' | 'pe';

function uvarint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

/** The modinfo text as the linker frames it. */
export function framedModinfo(text: string): Buffer {
  return Buffer.concat([INFO_START, Buffer.from(text), INFO_END]);
}

/** Build-info payload; `base` is the virtual address at which the payload will be loaded. */
export function goBuildInfoPayload(goVersion: string, modinfo: string, style: 'inline' | 'pointer', base: number): Buffer {
  const mod = framedModinfo(modinfo);
  const ver = Buffer.from(goVersion);
  if (style === 'inline') {
    const hdr = Buffer.alloc(32);
    MAGIC.copy(hdr);
    hdr[14] = 8;
    hdr[15] = 2;
    return Buffer.concat([hdr, uvarint(ver.length), ver, uvarint(mod.length), mod]);
  }
  // header(32) | string header version (16) | string header modinfo (16) | version | modinfo
  const hdr = Buffer.alloc(64);
  MAGIC.copy(hdr);
  hdr[14] = 8;
  hdr[15] = 0;
  hdr.writeBigUInt64LE(BigInt(base + 32), 16);
  hdr.writeBigUInt64LE(BigInt(base + 48), 24);
  hdr.writeBigUInt64LE(BigInt(base + 64), 32);
  hdr.writeBigUInt64LE(BigInt(ver.length), 40);
  hdr.writeBigUInt64LE(BigInt(base + 64 + ver.length), 48);
  hdr.writeBigUInt64LE(BigInt(mod.length), 56);
  return Buffer.concat([hdr, ver, mod]);
}

const ELF_BASE = 0x400000;
const MACHO_BASE = 0x100000000;
const PE_IMAGE_BASE = 0x140000000;

function align(n: number, a = 16): number {
  return Math.ceil(n / a) * a;
}

/** An executable whose one section `name` holds the bytes `payload(vaddr)` builds. */
export function makeExecutable(format: ExeFormat, sectionName: string, payload: (vaddr: number) => Buffer): Buffer {
  if (format === 'elf') {
    const dataOff = 128;
    const data = payload(ELF_BASE + dataOff);
    const strtab = Buffer.from(`\0${sectionName}\0.shstrtab\0`);
    const strOff = dataOff + data.length;
    const shOff = align(strOff + strtab.length, 8);
    const total = shOff + 64 * 3;
    const b = Buffer.alloc(total);
    b.write('\x7fELF', 0, 'latin1');
    b[4] = 2; // 64-bit
    b[5] = 1; // little endian
    b[6] = 1;
    b.writeUInt16LE(2, 16); // ET_EXEC
    b.writeUInt16LE(0x3e, 18);
    b.writeUInt32LE(1, 20);
    b.writeBigUInt64LE(64n, 0x20); // phoff
    b.writeBigUInt64LE(BigInt(shOff), 0x28);
    b.writeUInt16LE(64, 0x34);
    b.writeUInt16LE(56, 0x36);
    b.writeUInt16LE(1, 0x38);
    b.writeUInt16LE(64, 0x3a);
    b.writeUInt16LE(3, 0x3c);
    b.writeUInt16LE(2, 0x3e);
    // PT_LOAD mapping the whole file at ELF_BASE.
    b.writeUInt32LE(1, 64);
    b.writeBigUInt64LE(0n, 64 + 8);
    b.writeBigUInt64LE(BigInt(ELF_BASE), 64 + 16);
    b.writeBigUInt64LE(BigInt(ELF_BASE), 64 + 24);
    b.writeBigUInt64LE(BigInt(total), 64 + 32);
    b.writeBigUInt64LE(BigInt(total), 64 + 40);
    data.copy(b, dataOff);
    strtab.copy(b, strOff);
    const sh = (i: number, name: number, type: number, addr: number, off: number, size: number) => {
      const at = shOff + i * 64;
      b.writeUInt32LE(name, at);
      b.writeUInt32LE(type, at + 4);
      b.writeBigUInt64LE(BigInt(addr), at + 16);
      b.writeBigUInt64LE(BigInt(off), at + 24);
      b.writeBigUInt64LE(BigInt(size), at + 32);
    };
    sh(1, 1, 1, ELF_BASE + dataOff, dataOff, data.length);
    sh(2, 2 + sectionName.length, 3, 0, strOff, strtab.length);
    return b;
  }
  if (format === 'macho') {
    const dataOff = 256;
    const data = payload(MACHO_BASE + dataOff);
    const b = Buffer.alloc(dataOff + data.length);
    b.writeUInt32LE(0xfeedfacf, 0);
    b.writeUInt32LE(0x01000007, 4);
    b.writeUInt32LE(2, 12);
    b.writeUInt32LE(1, 16); // ncmds
    b.writeUInt32LE(72 + 80, 20);
    const seg = 32;
    b.writeUInt32LE(0x19, seg);
    b.writeUInt32LE(72 + 80, seg + 4);
    b.write('__DATA', seg + 8, 'latin1');
    b.writeBigUInt64LE(BigInt(MACHO_BASE), seg + 24);
    b.writeBigUInt64LE(BigInt(b.length), seg + 32);
    b.writeBigUInt64LE(0n, seg + 40);
    b.writeBigUInt64LE(BigInt(b.length), seg + 48);
    b.writeUInt32LE(1, seg + 64); // nsects
    const sec = seg + 72;
    b.write(sectionName.slice(0, 16), sec, 'latin1');
    b.write('__DATA', sec + 16, 'latin1');
    b.writeBigUInt64LE(BigInt(MACHO_BASE + dataOff), sec + 32);
    b.writeBigUInt64LE(BigInt(data.length), sec + 40);
    b.writeUInt32LE(dataOff, sec + 48);
    data.copy(b, dataOff);
    return b;
  }
  const rawPtr = 0x200;
  const vaddr = 0x1000;
  const data = payload(PE_IMAGE_BASE + vaddr);
  const b = Buffer.alloc(rawPtr + align(data.length, 0x200));
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(0x40, 0x3c);
  b.writeUInt32BE(0x50450000, 0x40);
  b.writeUInt16LE(0x8664, 0x44);
  b.writeUInt16LE(1, 0x46);
  b.writeUInt16LE(240, 0x54);
  const opt = 0x58;
  b.writeUInt16LE(0x20b, opt);
  b.writeBigUInt64LE(BigInt(PE_IMAGE_BASE), opt + 24);
  const sec = opt + 240;
  b.write(sectionName.slice(0, 8), sec, 'latin1');
  b.writeUInt32LE(data.length, sec + 8);
  b.writeUInt32LE(vaddr, sec + 12);
  b.writeUInt32LE(align(data.length, 0x200), sec + 16);
  b.writeUInt32LE(rawPtr, sec + 20);
  data.copy(b, rawPtr);
  return b;
}

export function makeGoBinary(format: ExeFormat, style: 'inline' | 'pointer', goVersion: string, modinfo: string): Buffer {
  const section = format === 'elf' ? '.go.buildinfo' : format === 'macho' ? '__go_buildinfo' : '.data';
  return makeExecutable(format, section, (vaddr) => goBuildInfoPayload(goVersion, modinfo, style, vaddr));
}
