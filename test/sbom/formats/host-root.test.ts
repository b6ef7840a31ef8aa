// This machine's own Debian root, catalogued and exported as CycloneDX 1.6 and SPDX 2.3, must
// pass the official schemas: hundreds of real packages with real copyright files (Debian's
// SMAIL-GPL and Artistic-dist among them) and real Debian-built jars. The walk is scoped to
// the parts of / that packages live in (dpkg's database, /usr/share/doc, /usr/share/java,
// /usr/share/maven-repo, /etc), bind-mounted read-only into a private mount namespace, so the
// scan does not wander through every engineer's worktree under /work.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { scoutNodeArgs } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { cycloneDxValidator, spdxValidator } from './schema-validators.js';

const PARTS = ['var/lib/dpkg', 'usr/share/doc', 'usr/share/java', 'usr/share/maven-repo', 'etc'];

interface CdxComponent {
  name: string;
  group?: string;
  version: string;
  purl: string;
  licenses?: { license?: { id?: string; name?: string }; expression?: string }[];
  properties?: { name: string; value: string }[];
}

let exported: ReturnType<typeof exportOnce> | undefined;
const exportRoot = () => (exported ??= exportOnce());

function exportOnce(): { cdx: { metadata: { component: { name: string } }; components: CdxComponent[] }; spdx: { packages: { name: string }[] }; stderr: string } {
  const work = tempDir();
  const root = join(work, 'root');
  const out = join(work, 'out');
  mkdirSync(out);
  for (const p of PARTS) mkdirSync(join(root, p), { recursive: true });
  const mounts = PARTS.map((p) => `mount --bind -o ro /${p} ${root}/${p}`).join(' && ');
  const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  const run = (format: string) => [process.execPath, ...scoutNodeArgs('sbom', `fs://${root}`, '--format', format, '-o', `${out}/root.${format}.json`)].map(quote).join(' ');
  const r = spawnSync('unshare', ['-m', 'sh', '-c', `${mounts} && ${run('cyclonedx')} && ${run('spdx')}`], {
    encoding: 'utf8',
    env: { ...process.env, CI: '1', SCOUT_CACHE_DIR: join(work, 'cache') },
  });
  assert.equal(r.status, 0, r.stderr);
  return {
    cdx: JSON.parse(readFileSync(join(out, 'root.cyclonedx.json'), 'utf8')),
    spdx: JSON.parse(readFileSync(join(out, 'root.spdx.json'), 'utf8')),
    stderr: r.stderr,
  };
}

const installed = spawnSync('dpkg-query', ['-W', '-f', '${db:Status-Abbrev} ${Package}\n'], { encoding: 'utf8' })
  .stdout.split('\n')
  .filter((l) => l.startsWith('ii '))
  .map((l) => l.split(/\s+/)[1]);

test('this machine\'s Debian root exports as CycloneDX and SPDX that pass the official schemas', () => {
  const { cdx, spdx } = exportRoot();
  const validateCdx = cycloneDxValidator();
  assert.ok(validateCdx(cdx), JSON.stringify(validateCdx.errors?.slice(0, 5)));
  const validateSpdx = spdxValidator();
  assert.ok(validateSpdx(spdx), JSON.stringify(validateSpdx.errors?.slice(0, 5)));

  // Every installed package, and nothing else, as dpkg itself lists them.
  assert.ok(installed.length > 100, `${installed.length} packages installed`);
  const debs = cdx.components.filter((c) => c.purl.startsWith('pkg:deb/'));
  assert.deepEqual([...new Set(debs.map((c) => c.name))].sort(), [...new Set(installed.map((n) => n.replace(/:.*$/, '')))].sort());
  assert.ok(spdx.packages.length >= debs.length);

  // debianutils' copyright file names SMAIL-GPL, an SPDX id newer than CycloneDX 1.6's list.
  const debianutils = debs.find((c) => c.name === 'debianutils')!;
  const licenses = debianutils.licenses ?? [];
  assert.ok(licenses.some((l) => l.license?.name === 'SMAIL-GPL'), JSON.stringify(licenses));
  assert.ok(!licenses.some((l) => l.license?.id === 'SMAIL-GPL'));
  assert.ok(licenses.some((l) => l.license?.id === 'GPL-2.0-or-later'), 'ids the schema lists stay ids');
});

test('Debian-built jars: coordinates from pom.properties, maven-repo links or the file name; none dropped, no name with spaces', () => {
  const { cdx } = exportRoot();
  const maven = cdx.components.filter((c) => c.purl.startsWith('pkg:maven/'));
  for (const c of maven) {
    assert.doesNotMatch(c.name, /\s/, c.purl);
    assert.doesNotMatch(c.group ?? '', /\s/, c.purl);
  }
  const pathOf = (c: CdxComponent) => c.properties?.find((p) => p.name === 'iechor-scout:location:0:path')?.value;
  // Every jar file Debian installed (not the version-less symlinks to them) is catalogued.
  const jars = readdirSync('/usr/share/java').filter((n) => n.endsWith('.jar') && lstatSync(join('/usr/share/java', n)).isFile());
  assert.ok(jars.length > 10);
  const located = new Set(maven.map(pathOf).filter(Boolean).map((p) => p!.replace(/:.*$/, '')));
  const missing = jars.filter((j) => !located.has(`/usr/share/java/${j}`));
  assert.deepEqual(missing, [], 'every jar under /usr/share/java is a package');
  // aopalliance-1.0.jar has an empty manifest and no pom.properties; Debian's maven-repo link names it.
  const aop = maven.find((c) => pathOf(c) === '/usr/share/java/aopalliance-1.0.jar');
  assert.equal(aop?.purl, 'pkg:maven/aopalliance/aopalliance@1.0');
});
