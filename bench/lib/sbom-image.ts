/**
 * A large image for the SBOM benchmark, like a real service image: a Debian-style root file
 * system (a real Ubuntu dpkg status plus generated packages with file lists and tens of
 * thousands of files), a Python tree, a Node.js app with thousands of packages, and jars
 * (real ones from the Java conformance fixtures).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureLayout, prng, text, type LayerWriter } from './big-image.js';

const FIXTURES = new URL('../../test/fixtures/catalogers/', import.meta.url).pathname;

export interface SbomImageSpec {
  debs: number;
  rootFiles: number;
  pythonPackages: number;
  npmPackages: number;
  jarCopies: number;
}

export async function ensureSbomImage(dir: string, spec: SbomImageSpec) {
  const rnd = prng(7);
  const realStatus = readFileSync(join(FIXTURES, 'dpkg/trivy-ubuntu-status/var/lib/dpkg/status'), 'utf8');
  const base: LayerWriter = async (write) => {
    await write('etc/os-release', 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n');
    let status = realStatus.trimEnd() + '\n';
    for (let i = 0; i < spec.debs; i++) {
      const name = `libbench${i}`;
      status += `\nPackage: ${name}\nStatus: install ok installed\nInstalled-Size: ${100 + i}\nMaintainer: Bench <bench@example.org>\nArchitecture: amd64\nSource: bench-src${i % 50}\nVersion: 1.${i}-1\nDescription: generated package ${i}\n long description\n`;
      const files = Array.from({ length: 5 }, (_, k) => `/usr/lib/bench/${name}/f${k}.so`);
      await write(`var/lib/dpkg/info/${name}.list`, ['/.', '/usr', ...files].join('\n') + '\n');
      await write(`usr/share/doc/${name}/copyright`, `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nLicense: ${i % 2 ? 'GPL-2+' : 'MIT'}\n`);
      for (const f of files) await write(f.slice(1), text(rnd, 2000));
    }
    await write('var/lib/dpkg/status', status);
    for (let i = 0; i < spec.rootFiles; i++) await write(`usr/share/bench/d${Math.floor(i / 200)}/f${i}.txt`, text(rnd, Math.floor(800 + rnd() * 3000)));
  };
  const python: LayerWriter = async (write) => {
    const site = 'usr/local/lib/python3.11/site-packages';
    for (let i = 0; i < spec.pythonPackages; i++) {
      const name = `benchpkg${i}`;
      const info = `${site}/${name}-2.${i}.0.dist-info`;
      await write(`${info}/METADATA`, `Metadata-Version: 2.1\nName: ${name}\nVersion: 2.${i}.0\nSummary: generated\nAuthor: Bench\nLicense: MIT\n${i > 0 ? `Requires-Dist: benchpkg${i - 1}\n` : ''}`);
      const mods = Array.from({ length: 8 }, (_, k) => `${name}/m${k}.py`);
      await write(`${info}/RECORD`, mods.map((m) => `${m},,`).join('\n') + '\n');
      for (const m of mods) await write(`${site}/${m}`, text(rnd, 1500));
    }
  };
  const node: LayerWriter = async (write) => {
    const deps: Record<string, string> = {};
    const lock: Record<string, unknown> = {};
    for (let i = 0; i < spec.npmPackages; i++) {
      const name = i % 10 === 0 ? `@bench/pkg${i}` : `pkg${i}`;
      const version = `1.${i % 20}.${i}`;
      if (i % 7 === 0) deps[name] = `^${version}`;
      lock[`node_modules/${name}`] = { version, resolved: `https://registry.npmjs.org/${name}/-/x-${version}.tgz`, license: 'MIT' };
      await write(`app/node_modules/${name}/package.json`, JSON.stringify({ name, version, description: 'generated', license: 'MIT', author: 'Bench <b@example.org>' }));
      await write(`app/node_modules/${name}/index.js`, text(rnd, 1200));
      await write(`app/node_modules/${name}/README.md`, text(rnd, 800));
    }
    await write('app/package.json', JSON.stringify({ name: 'bench-app', version: '1.0.0', dependencies: deps }));
    await write('app/package-lock.json', JSON.stringify({ name: 'bench-app', version: '1.0.0', lockfileVersion: 3, packages: { '': { name: 'bench-app', version: '1.0.0', dependencies: deps }, ...lock } }));
  };
  const java: LayerWriter = async (write) => {
    const jars: [string, Buffer][] = [];
    for (const c of readdirSync(join(FIXTURES, 'java'))) {
      for (const f of readdirSync(join(FIXTURES, 'java', c))) if (/\.(jar|war)$/.test(f)) jars.push([f, readFileSync(join(FIXTURES, 'java', c, f))]);
    }
    for (let i = 0; i < spec.jarCopies; i++) for (const [f, b] of jars) await write(`opt/app${i}/lib/${f}`, b);
  };
  return ensureLayout(dir, [base, python, node, java]);
}
