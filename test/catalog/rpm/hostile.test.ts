import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { fileURLToPath } from 'node:url';
import { readBdbHash } from '../../../src/catalog/rpm/bdb.js';
import { RpmHeader, TAG } from '../../../src/catalog/rpm/header.js';
import { rpmCataloger } from '../../../src/catalog/rpm/index.js';
import { readNdb } from '../../../src/catalog/rpm/ndb.js';
import { readSqliteRpmdb, rpmdbReadersStarted } from '../../../src/catalog/rpm/sqlite.js';
import { treeFromMemory, type MemoryEntry } from '../../../src/image/layer/memory-index.js';
import { ScoutError, Warnings } from '../../../src/util/errors.js';
import { rpmHeader } from '../../fuzz/rpm-seeds.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/catalogers/rpm/', import.meta.url));
const BDB = readFileSync(FIXTURES + 'bdb-syft-dive/var/lib/rpm/Packages');
const NDB = readFileSync(FIXTURES + 'ndb-sles15-bci/usr/lib/sysimage/rpm/Packages.db');
const SQLITE = readFileSync(FIXTURES + 'sqlite-cbl-mariner2/var/lib/rpm/rpmdb.sqlite');

async function run(files: Record<string, MemoryEntry>) {
  const warnings = new Warnings();
  const tree = await treeFromMemory([files], rpmCataloger.capture);
  return { pkgs: rpmCataloger.catalog(tree, { warnings }), warnings };
}

// Header blobs laid out as rpm does (INT32 data 4-byte aligned), as the fuzzer's seeds are built.
const header = rpmHeader;
const str = (tag: number, s: string) => ({ tag, type: 6, data: Buffer.from(s + '\0'), count: 1 });

test('header: strings, arrays, ints; missing NUL and out-of-range offsets read nothing', () => {
  const epoch = Buffer.alloc(4);
  epoch.writeUInt32BE(3);
  const h = new RpmHeader(
    header([
      str(TAG.NAME, 'pkg'),
      { tag: TAG.EPOCH, type: 4, data: epoch, count: 1 },
      { tag: TAG.PROVIDENAME, type: 8, data: Buffer.from('a\0b\0'), count: 2 },
      { tag: TAG.LICENSE, type: 6, data: Buffer.from('no terminator'), count: 1 },
    ]),
  );
  assert.equal(h.string(TAG.NAME), 'pkg');
  assert.equal(h.int(TAG.EPOCH), 3);
  assert.deepEqual(h.strings(TAG.PROVIDENAME), ['a', 'b']);
  assert.equal(h.string(TAG.LICENSE), undefined, 'a string running off the data store is not read');
  // An INT32 array claiming more values than the store holds.
  const big = header([{ tag: TAG.SIZE, type: 4, data: Buffer.alloc(4), count: 1000 }]);
  assert.deepEqual(new RpmHeader(big).ints(TAG.SIZE), []);
});

test('header: impossible counts and lengths are rejected with an error, not a crash', () => {
  assert.throws(() => new RpmHeader(Buffer.alloc(4)), /too short/);
  const huge = Buffer.alloc(8);
  huge.writeUInt32BE(0xffffff, 0);
  assert.throws(() => new RpmHeader(huge), /index entries/);
  const short = Buffer.alloc(8 + 16);
  short.writeUInt32BE(1, 0);
  short.writeUInt32BE(1000, 4);
  assert.throws(() => new RpmHeader(short), /needs/);
});

test('Berkeley DB: an overflow chain that loops is reported, not followed forever', () => {
  const bad = Buffer.from(BDB);
  bad.writeUInt32LE(3, 3 * 4096 + 16); // page 3 (the overflow page) points at itself
  const r = readBdbHash(bad);
  assert.deepEqual(r.blobs, []);
  assert.ok(r.problems.some((p) => /loops at page 3/.test(p)), r.problems.join('; '));
});

test('Berkeley DB: a page pointer past the end and a truncated file are reported', async () => {
  const bad = Buffer.from(BDB);
  // Point every off-page item on hash pages at page 99.
  for (let n = 1; n < 3; n++) {
    const p = n * 4096;
    const entries = bad.readUInt16LE(p + 20);
    for (let i = 1; i < entries; i += 2) {
      const off = bad.readUInt16LE(p + 26 + i * 2);
      if (bad[p + off] === 3) bad.writeUInt32LE(99, p + off + 4);
    }
  }
  const { pkgs, warnings } = await run({ '/var/lib/rpm/Packages': bad });
  assert.deepEqual(pkgs, []);
  assert.ok(warnings.items.some((w) => w.path === '/var/lib/rpm/Packages' && /page 99, past the end/.test(w.message)));
  const cut = await run({ '/var/lib/rpm/Packages': BDB.subarray(0, 3 * 4096) });
  assert.deepEqual(cut.pkgs, []);
  assert.ok(cut.warnings.items.length > 0);
});

test('NDB: one slot with a broken magic is reported, the other 34 packages are read', async () => {
  const bad = Buffer.from(NDB);
  bad.write('XXXX', 32 + 16 * 2, 'latin1'); // third slot
  const r = readNdb(bad);
  assert.equal(r.blobs.length, 34);
  assert.deepEqual(r.problems, ['slot 2: bad magic']);
});

test('NDB: a corrupt header blob gives a warning naming the file, others still parsed', async () => {
  const bad = Buffer.from(NDB);
  const blobAt = bad.readUInt32LE(32 + 8) * 16; // first slot's blob
  bad.writeUInt32BE(0x7fffffff, blobAt + 16); // its header's index count
  const { pkgs, warnings } = await run({ '/usr/lib/sysimage/rpm/Packages.db': bad });
  assert.equal(pkgs.length, 34);
  assert.ok(!pkgs.some((p) => p.name === 'system-user-root'));
  assert.equal(warnings.items.length, 1);
  assert.equal(warnings.items[0].path, '/usr/lib/sysimage/rpm/Packages.db');
  assert.match(warnings.items[0].message, /^\/usr\/lib\/sysimage\/rpm\/Packages\.db: /);
});

test('SQLite: garbage with an SQLite header and a random file are warnings', async () => {
  const fake = Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4000, 0xab)]);
  const a = await run({ '/var/lib/rpm/rpmdb.sqlite': fake });
  assert.deepEqual(a.pkgs, []);
  assert.equal(a.warnings.items.length, 1);
  assert.equal(a.warnings.items[0].path, '/var/lib/rpm/rpmdb.sqlite');
  const b = await run({ '/var/lib/rpm/rpmdb.sqlite': Buffer.from('hello') });
  assert.deepEqual(b.pkgs, []);
  assert.match(b.warnings.items[0].message, /not an SQLite database/);
});

test('/var/lib/rpm symlinked to /usr/lib/sysimage/rpm: the database is read once', async () => {
  const { pkgs } = await run({ '/usr/lib/sysimage/rpm/Packages.db': NDB, '/var/lib/rpm': { symlink: '../../usr/lib/sysimage/rpm' } });
  assert.equal(pkgs.length, 35);
});

test('random byte damage never throws out of the cataloger', async () => {
  // Deterministic xorshift so a failure can be reproduced.
  let seed = 0x9e3779b9;
  const rnd = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 0x100000000;
  };
  const cases: [string, Buffer, number][] = [
    ['/var/lib/rpm/Packages', BDB, 60],
    ['/usr/lib/sysimage/rpm/Packages.db', NDB, 20],
    ['/var/lib/rpm/rpmdb.sqlite', SQLITE, 5],
  ];
  for (const [path, orig, rounds] of cases) {
    for (let r = 0; r < rounds; r++) {
      const b = Buffer.from(orig);
      for (let k = 0; k < 16; k++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      const { pkgs } = await run({ [path]: b });
      assert.ok(Array.isArray(pkgs));
    }
  }
});

/** An rpmdb.sqlite whose schema is built by `sql` (rpm's own Packages table unless replaced). */
function sqliteDb(sql: string, rows = 3): Buffer {
  const db = new Database(':memory:');
  db.exec(sql);
  const hasTable = (db.prepare("SELECT type FROM sqlite_master WHERE name = 'Packages'").pluck().get() as string | undefined) === 'table';
  if (hasTable && rows) {
    const ins = db.prepare('INSERT INTO Packages (blob) VALUES (?)');
    for (let i = 0; i < rows; i++) ins.run(Buffer.from(header([str(TAG.NAME, `p${i}`), str(TAG.VERSION, '1'), str(TAG.RELEASE, '1'), str(TAG.ARCH, 'noarch')])));
  }
  const out = db.serialize();
  db.close();
  return out;
}

test('SQLite: a Packages view (over a recursive CTE, or of huge blobs) is refused before any query, naming the file', async () => {
  const hostile = [
    "CREATE VIEW Packages AS WITH RECURSIVE r(hnum) AS (SELECT 1 UNION ALL SELECT hnum + 1 FROM r) SELECT hnum, zeroblob(1000) AS blob FROM r",
    'CREATE TABLE real (hnum INTEGER PRIMARY KEY, blob BLOB); CREATE VIEW Packages AS SELECT hnum, randomblob(900000000) AS blob FROM real',
  ];
  for (const sql of hostile) {
    const started = Date.now();
    const { pkgs, warnings } = await run({ '/var/lib/rpm/rpmdb.sqlite': sqliteDb(sql) });
    assert.deepEqual(pkgs, []);
    assert.equal(warnings.items.length, 1, JSON.stringify(warnings.items));
    assert.equal(warnings.items[0].path, '/var/lib/rpm/rpmdb.sqlite');
    assert.match(warnings.items[0].message, /^\/var\/lib\/rpm\/rpmdb\.sqlite: .*view/);
    assert.ok(Date.now() - started < 30_000, 'refused, not run');
  }
});

test('SQLite: triggers, virtual tables and generated columns are refused; rpm\'s own schema is read', async () => {
  const base = 'CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);';
  const refused: [string, RegExp][] = [
    [base + 'CREATE TABLE t (x); CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;', /trigger/],
    ['CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, x BLOB, blob BLOB AS (zeroblob(100000000 + length(x))));', /generated/],
    ["CREATE VIRTUAL TABLE Packages USING fts5(hnum, blob);", /not a plain table/],
  ];
  for (const [sql, re] of refused) {
    const { pkgs, warnings } = await run({ '/var/lib/rpm/rpmdb.sqlite': sqliteDb(sql, 0) });
    assert.deepEqual(pkgs, []);
    assert.match(warnings.items[0]?.message ?? '', re, sql);
    assert.equal(warnings.items[0].path, '/var/lib/rpm/rpmdb.sqlite');
  }
  const ok = await run({ '/var/lib/rpm/rpmdb.sqlite': sqliteDb(base + 'CREATE INDEX i ON Packages (blob);') });
  assert.deepEqual(ok.pkgs.map((p) => p.name).sort(), ['p0', 'p1', 'p2']);
});

test('SQLite: the read is stopped past its time budget with an error that says so', () => {
  const db = sqliteDb('CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);', 20_000);
  assert.throws(() => readSqliteRpmdb(db, { timeoutMs: 1 }), (err: Error) => err instanceof ScoutError && err.code === 'rpm-sqlite-limit' && /longer than 1 ms/.test(err.message));
  assert.equal(readSqliteRpmdb(db).blobs.length, 20_000);
});

test('SQLite: one reader thread serves read after read; one that overran its time budget is replaced, and the next read gets the whole budget', () => {
  const schema = 'CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);';
  const small = sqliteDb(schema, 3);
  const big = sqliteDb(schema, 20_000);
  assert.equal(readSqliteRpmdb(small).blobs.length, 3);
  const before = rpmdbReadersStarted();
  for (let i = 0; i < 5; i++) assert.equal(readSqliteRpmdb(small).blobs.length, 3);
  assert.throws(() => readSqliteRpmdb(sqliteDb('CREATE VIEW Packages AS SELECT 1 AS hnum, x\'00\' AS blob', 0)), /view/);
  assert.equal(rpmdbReadersStarted(), before, 'the reads, a refused one included, ran on the thread already there');
  assert.throws(() => readSqliteRpmdb(big, { timeoutMs: 1 }), (err: Error) => err instanceof ScoutError && err.code === 'rpm-sqlite-limit');
  assert.equal(readSqliteRpmdb(big).blobs.length, 20_000);
  assert.equal(rpmdbReadersStarted(), before + 1, 'the thread that overran was terminated, and a new one read the next');
});
