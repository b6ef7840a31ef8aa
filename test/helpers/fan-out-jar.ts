/**
 * The nested-archive bomb of issue #15: a jar whose central directory lists `fan` entries that
 * all point at one stored (uncompressed) copy of the next jar down, `depth` levels deep. Each
 * level adds a few KB (its directory), yet a reader that follows every entry opens fan + fan² +
 * … + fan^depth archives: 40 ways, 8 deep is about 22 KB on disk and 6.7 × 10¹² archives.
 */
import { crc32, deflateRawSync } from 'node:zlib';

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

/** A zip holding `files` (deflated), then directory entries that all name one stored copy of `shared`. */
function zipWithAliases(files: { name: string; data: Buffer }[], shared: { names: string[]; data: Buffer } | undefined): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  const local = (name: Buffer, body: Buffer, crc: number, size: number, method: number) =>
    Buffer.concat([u32(0x04034b50), u16(20), u16(0x0800), u16(method), u16(0), u16(0), u32(crc), u32(body.length), u32(size), u16(name.length), u16(0), name, body]);
  const central = (name: Buffer, bodyLength: number, crc: number, size: number, at: number, method: number) =>
    Buffer.concat([u32(0x02014b50), u16(20), u16(20), u16(0x0800), u16(method), u16(0), u16(0), u32(crc), u32(bodyLength), u32(size), u16(name.length), u16(0), u16(0), u16(0), u16(0), u32(0), u32(at), name]);
  for (const f of files) {
    const name = Buffer.from(f.name);
    const body = deflateRawSync(f.data);
    const crc = crc32(f.data) >>> 0;
    const l = local(name, body, crc, f.data.length, 8);
    centrals.push(central(name, body.length, crc, f.data.length, offset, 8));
    locals.push(l);
    offset += l.length;
  }
  if (shared) {
    const crc = crc32(shared.data) >>> 0;
    const l = local(Buffer.from(shared.names[0]), shared.data, crc, shared.data.length, 0);
    for (const n of shared.names) centrals.push(central(Buffer.from(n), shared.data.length, crc, shared.data.length, offset, 0));
    locals.push(l);
    offset += l.length;
  }
  const dir = Buffer.concat(centrals);
  const eocd = Buffer.concat([u32(0x06054b50), u16(0), u16(0), u16(centrals.length), u16(centrals.length), u32(dir.length), u32(offset), u16(0)]);
  return Buffer.concat([...locals, dir, eocd]);
}

/** Each level is a real jar: a pom.properties naming it (so every archive read is a package) and `fan` aliases of the level below. */
export function fanOutJar(fan: number, depth: number): Buffer {
  const pom = (a: string) => ({ name: `META-INF/maven/org.bomb/${a}/pom.properties`, data: Buffer.from(`groupId=org.bomb\nartifactId=${a}\nversion=1\n`) });
  let jar = zipWithAliases([pom('leaf')], undefined);
  for (let d = depth; d >= 1; d--) {
    jar = zipWithAliases([pom(`level${d}`)], { names: Array.from({ length: fan }, (_, i) => `lib/l${d}-${i}.jar`), data: jar });
  }
  return jar;
}
