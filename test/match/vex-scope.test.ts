// Which VEX statement decides a finding (src/match/vex.ts): the parts of a package URL a
// statement states and must match, the image a pkg:oci / pkg:docker product names (by digest,
// repository, tag, repository_url, on a registry, Docker Hub or an archive), and the newest
// statement among those that apply. Findings come from a real match of Debian's records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { match } from '../../src/match/index.js';
import type { Finding } from '../../src/match/types.js';
import { applyVex, decidingStatement, indexVex, namesImage, parseVex, purlMatches, type VexDocument } from '../../src/match/vex.js';
import type { Sbom } from '../../src/sbom/model.js';
import { parsePurl } from '../../src/sbom/purl.js';
import { DEBIAN_12, deb, sbomOf, storeWith } from './helpers.js';

const P = (s: string) => parsePurl(s);

test('a statement\'s purl matches a package when every part it states is the package\'s', () => {
  const pkg = P('pkg:deb/debian/apt@2.6.1?arch=amd64&distro=debian-12');
  for (const yes of ['pkg:deb/debian/apt', 'pkg:deb/debian/apt@2.6.1', 'pkg:deb/debian/apt?arch=amd64', 'pkg:deb/debian/apt@2.6.1?arch=amd64&distro=debian-12']) assert.ok(purlMatches(P(yes), pkg), yes);
  for (const no of ['pkg:deb/debian/apt@2.6.0', 'pkg:deb/debian/apt?arch=arm64', 'pkg:deb/debian/apt?arch=amd64&distro=debian-11', 'pkg:deb/ubuntu/apt', 'pkg:deb/apt', 'pkg:rpm/debian/apt', 'pkg:deb/debian/apt-utils', 'pkg:deb/debian/apt?epoch=1']) assert.equal(purlMatches(P(no), pkg), false, no);
  // No namespace on either side is the same namespace.
  assert.ok(purlMatches(P('pkg:npm/lodash'), P('pkg:npm/lodash@4.17.15')));
  assert.equal(purlMatches(P('pkg:npm/lodash'), P('pkg:npm/%40types/lodash@4.17.15')), false);
  // A package without qualifiers has none of the statement's.
  assert.equal(purlMatches(P('pkg:npm/lodash?repository_url=https://registry.npmjs.org'), P('pkg:npm/lodash@4.17.15')), false);
});

type Image = NonNullable<Sbom['image']>;
const D = (c: string) => 'sha256:' + c.repeat(64);

function image(over: Partial<Image>): Pick<Sbom, 'image'> {
  return {
    image: {
      reference: 'registry.example:5000/team/app:1.0', source: 'registry', digest: D('d'), configDigest: D('c'),
      platform: { os: 'linux', architecture: 'amd64' }, os: { type: 'linux' }, exposedPorts: [], env: [], labels: {}, layers: [], history: [], size: { compressed: 0 },
      ...over,
    },
  };
}

test('the image a product purl names: digests, repository, tag, on a registry', () => {
  const reg = image({ indexDigest: D('1'), registry: { host: 'registry.example:5000', url: 'https://registry.example:5000', type: 'other', repository: 'team/app', tag: '1.0' } });
  const yes = [
    `pkg:oci/app@${encodeURIComponent(D('d'))}`,
    `pkg:oci/anything@${encodeURIComponent(D('1'))}`,
    `pkg:oci/anything@${encodeURIComponent(D('c'))}`,
    'pkg:oci/app',
    'pkg:oci/app?tag=1.0',
    'pkg:oci/app?repository_url=registry.example:5000/team/app',
    'pkg:docker/team/app',
    'pkg:docker/team/app@1.0',
    'pkg:docker/app',
  ];
  const no = [
    `pkg:oci/app@${encodeURIComponent(D('e'))}`,
    'pkg:oci/other',
    'pkg:oci/app?tag=1.1',
    'pkg:oci/app?repository_url=registry.example:5000/team/other',
    'pkg:oci/app?repository_url=registry.example:5000/app',
    'pkg:oci/app?repository_url=team/app',
    'pkg:docker/team/app@1.1',
    'pkg:docker/eam/app', // 'team/app' ends with 'eam/app', but not at a path segment
    'pkg:docker/pp',
    'pkg:docker/other/app',
    'pkg:docker/registry.example:5000/team',
  ];
  for (const p of yes) assert.equal(namesImage(P(p), reg), true, p);
  for (const p of no) assert.equal(namesImage(P(p), reg), false, p);
  // Without image metadata (an SBOM read from a file), nothing says it is another image.
  assert.equal(namesImage(P('pkg:oci/other?tag=9'), undefined), true);
  assert.equal(namesImage(P('pkg:oci/other?tag=9'), {}), true);
});

test('the image a product purl names: Docker Hub\'s short names and an archive\'s own name', () => {
  const hub = image({ reference: 'docker.io/library/nginx:1.27', registry: { host: 'docker.io', url: 'https://registry-1.docker.io', type: 'dockerhub', repository: 'library/nginx', tag: '1.27' } });
  for (const p of ['pkg:docker/nginx@1.27', 'pkg:docker/library/nginx', 'pkg:oci/nginx?repository_url=docker.io/library/nginx', 'pkg:oci/nginx?repository_url=nginx', 'pkg:oci/nginx?tag=1.27']) assert.equal(namesImage(P(p), hub), true, p);
  for (const p of ['pkg:docker/nginx@1.26', 'pkg:oci/nginx?repository_url=docker.io/nginx', 'pkg:oci/nginx?tag=latest']) assert.equal(namesImage(P(p), hub), false, p);
  // An archive: the name and tag it carries, no registry.
  const archive = image({ reference: 'archive:///tmp/demo.tar@demo-api:1.0.0', source: 'oci-archive' });
  for (const p of ['pkg:oci/demo-api', 'pkg:oci/demo-api?tag=1.0.0', 'pkg:docker/demo-api@1.0.0', 'pkg:oci/x?repository_url=demo-api']) assert.equal(namesImage(P(p), archive), true, p);
  for (const p of ['pkg:oci/demo', 'pkg:oci/demo-api?tag=1.0.1', 'pkg:docker/demo-api@2', 'pkg:docker/team/demo-api']) assert.equal(namesImage(P(p), archive), false, p);
  // An archive without a tag: a tag in the purl is another image's.
  const untagged = image({ reference: 'archive:///tmp/demo.tar@demo-api', source: 'oci-archive' });
  assert.equal(namesImage(P('pkg:oci/demo-api'), untagged), true);
  assert.equal(namesImage(P('pkg:oci/demo-api?tag=latest'), untagged), false);
});

function vex(file: string, timestamp: string | undefined, statements: unknown[]): VexDocument {
  return parseVex({ '@context': 'https://openvex.dev/ns/v0.2.0', '@id': `https://example.test/${file}`, author: 'a', ...(timestamp ? { timestamp } : {}), version: 1, statements }, file)!;
}
const st = (name: string, status: string, products: unknown[], extra: Record<string, unknown> = {}) => ({ vulnerability: { name }, products, status, ...(status === 'not_affected' ? { justification: 'component_not_present' } : {}), ...extra });
const apt = P('pkg:deb/debian/apt@2.6.1?arch=amd64&distro=debian-12');
const anyImage = () => true;
const noImage = () => false;

test('the statement that decides: the newest that applies, by statement or document time, the later read on a tie', () => {
  const a = vex('a.json', '2024-03-01T00:00:00Z', [
    st('CVE-2011-3374', 'affected', [{ '@id': 'pkg:deb/debian/apt' }]),
    st('CVE-2011-3374', 'fixed', [{ '@id': 'pkg:deb/debian/apt' }], { timestamp: '2024-01-01T00:00:00Z' }),
  ]);
  const b = vex('b.json', '2024-02-01T00:00:00Z', [st('cve-2011-3374', 'under_investigation', [{ '@id': 'pkg:deb/debian/apt' }])]);
  const decide = (docs: VexDocument[], ids = ['CVE-2011-3374'], pkg = apt, isImage = anyImage) => {
    const d = decidingStatement(indexVex(docs), ids, pkg, isImage);
    return d && `${d.doc.file} ${d.st.status}`;
  };
  // a's first statement (document time 03-01) is newer than b's (02-01) and than its own second (01-01).
  assert.equal(decide([a, b]), 'a.json affected');
  assert.equal(decide([b, a]), 'a.json affected');
  // Same time: the one read later wins, whichever the order.
  const c = vex('c.json', '2024-03-01T00:00:00Z', [st('CVE-2011-3374', 'fixed', [{ '@id': 'pkg:deb/debian/apt' }])]);
  assert.equal(decide([a, c]), 'c.json fixed');
  assert.equal(decide([c, a]), 'a.json affected');
  // No time anywhere: the later read; a time that is not a date counts as none.
  const u1 = vex('u1.json', undefined, [st('CVE-1', 'affected', [{ '@id': 'pkg:deb/debian/apt' }])]);
  const u2 = vex('u2.json', 'not a date', [st('CVE-1', 'fixed', [{ '@id': 'pkg:deb/debian/apt' }])]);
  assert.equal(decide([u1, u2], ['CVE-1']), 'u2.json fixed');
  assert.equal(decide([u2, u1], ['CVE-1']), 'u1.json affected');
  // Any dated statement is newer than an undated one.
  const dated = vex('dated.json', '1970-01-02T00:00:00Z', [st('CVE-1', 'not_affected', [{ '@id': 'pkg:deb/debian/apt' }])]);
  assert.equal(decide([dated, u1], ['CVE-1']), 'dated.json not_affected');
  // By alias, in any case, and by any of the finding's ids.
  const alias = vex('alias.json', '2025-01-01T00:00:00Z', [{ ...st('DEBIAN-CVE-2011-3374', 'fixed', [{ '@id': 'pkg:deb/debian/apt' }]), vulnerability: { name: 'DEBIAN-CVE-2011-3374', aliases: ['Cve-2011-3374'] } }]);
  assert.equal(decide([a, alias]), 'alias.json fixed');
  assert.equal(decide([a, alias], ['x', 'debian-cve-2011-3374']), 'alias.json fixed');
  assert.equal(decide([a, b], ['CVE-2011-3375']), undefined);
  // A statement for another package, or without a package to compare, does not apply.
  assert.equal(decide([a], ['CVE-2011-3374'], P('pkg:deb/debian/libc6@2.36')), undefined);
  assert.equal(decidingStatement(indexVex([a]), ['CVE-2011-3374'], undefined, anyImage), undefined);
  // A statement naming one id twice (name and alias) is one candidate.
  const twice = indexVex([vex('t.json', undefined, [{ ...st('CVE-9', 'fixed', [{ '@id': 'pkg:npm/x' }]), vulnerability: { name: 'CVE-9', aliases: ['cve-9'] } }])]);
  assert.equal(twice.get('CVE-9')?.length, 1);
  assert.deepEqual([...twice.keys()], ['CVE-9']);
});

test('an image product: its subcomponents when it is this image, every package when it has none, nothing when it is another', () => {
  const img = { '@id': 'pkg:oci/app' };
  const doc = (product: unknown) => vex('i.json', '2024-01-01T00:00:00Z', [st('CVE-1', 'not_affected', [product])]);
  // null: a package whose purl did not parse.
  const decide = (product: unknown, isImage: (p: ReturnType<typeof P>) => boolean, pkg: ReturnType<typeof P> | null = apt) => !!decidingStatement(indexVex([doc(product)]), ['CVE-1'], pkg ?? undefined, isImage);
  assert.equal(decide(img, anyImage), true, 'this image, no subcomponents: every package');
  assert.equal(decide(img, anyImage, null), true, 'every package, even one whose purl does not parse');
  assert.equal(decide(img, noImage), false, 'another image');
  assert.equal(decide({ ...img, subcomponents: [{ '@id': 'pkg:deb/debian/apt' }] }, anyImage), true);
  assert.equal(decide({ ...img, subcomponents: [{ '@id': 'pkg:deb/debian/libc6' }] }, anyImage), false, 'this image, another package');
  assert.equal(decide({ ...img, subcomponents: [{ '@id': 'pkg:deb/debian/apt' }] }, noImage), false, 'another image\'s apt');
  assert.equal(decide({ ...img, subcomponents: [{ '@id': 'pkg:deb/debian/apt' }] }, anyImage, null), false);
  // A product that is a package, not an image, covers that package whatever the image test says.
  assert.equal(decide({ '@id': 'pkg:deb/debian/apt' }, noImage), true);
  assert.equal(decide({ '@id': 'pkg:deb/debian/apt' }, anyImage, null), false);
  assert.equal(decide({ '@id': 'pkg:deb/debian/libc6', subcomponents: [{ '@id': 'pkg:deb/debian/apt' }] }, noImage), true, 'a package\'s subcomponent');
  // Two image purls for one product (@id and identifiers): one that is this image is enough.
  const thisOne = (p: ReturnType<typeof P>) => p.name === 'app';
  assert.equal(decide({ '@id': 'pkg:oci/other', identifiers: { purl: 'pkg:docker/app' } }, thisOne), true);
  assert.equal(decide({ '@id': 'pkg:oci/other', identifiers: { purl: 'pkg:docker/another' } }, thisOne), false);
  // An image purl with a package purl beside it: the image decides first.
  assert.equal(decide({ '@id': 'pkg:oci/other', identifiers: { purl: 'pkg:deb/debian/apt' } }, thisOne), false);
  // A later product of the statement may apply when an earlier one does not.
  const two = vex('two.json', undefined, [st('CVE-1', 'fixed', [{ '@id': 'pkg:oci/other' }, { '@id': 'pkg:deb/debian/apt' }])]);
  assert.ok(decidingStatement(indexVex([two]), ['CVE-1'], apt, thisOne));
});

test('applying VEX to real findings: suppressed with the justification or impact, annotated otherwise, and again with newer documents', async (t) => {
  const store = await storeWith(t, ['debian-selected.osv.jsonl.gz']);
  const sbom = sbomOf([deb('apt', '2.6.1'), deb('libc6', '2.36-9+deb12u1', 'glibc')], DEBIAN_12);
  const { findings } = await match(sbom, store);
  const aptFinding = (fs: Finding[]) => fs.find((f) => f.id === 'CVE-2011-3374')!;
  assert.ok(aptFinding(findings), 'the Debian fixture has apt\'s CVE-2011-3374');
  const copy = () => structuredClone(findings) as Finding[];

  // No documents, or documents without statements: nothing changes.
  const untouched = copy();
  applyVex(untouched, [], sbom);
  applyVex(untouched, [vex('none.json', undefined, [])], sbom);
  assert.deepEqual(untouched, findings);

  // not_affected with only an impact statement: that is the justification shown.
  const impact = copy();
  applyVex(impact, [vex('impact.json', '2024-01-01T00:00:00Z', [{ vulnerability: { name: 'CVE-2011-3374' }, products: [{ '@id': 'pkg:deb/debian/apt' }], status: 'not_affected', impact_statement: 'apt-key is never run' }])], sbom);
  assert.equal(aptFinding(impact).suppressed?.justification, 'apt-key is never run');
  assert.equal(aptFinding(impact).suppressed?.statement?.file, 'impact.json');
  assert.deepEqual(aptFinding(impact).vex, aptFinding(impact).suppressed?.statement);
  assert.deepEqual(impact.filter((f) => f.vex).map((f) => f.id), ['CVE-2011-3374'], 'only apt\'s finding');

  // Applied again with a newer statement that says affected: the suppression is lifted.
  const newer = vex('newer.json', '2024-06-01T00:00:00Z', [st('CVE-2011-3374', 'affected', [{ '@id': 'pkg:deb/debian/apt@2.6.1' }], { action_statement: 'remove apt-key' })]);
  applyVex(impact, [newer], sbom);
  assert.equal(aptFinding(impact).suppressed, undefined);
  assert.equal(aptFinding(impact).vex?.status, 'affected');
  assert.equal(aptFinding(impact).vex?.actionStatement, 'remove apt-key');

  // The same purl for many findings: every libc6 finding is covered by one statement per id.
  const libc = findings.filter((f) => f.package.name === 'libc6');
  assert.ok(libc.length >= 2, 'libc6 has several findings in the fixture');
  const all = copy();
  applyVex(all, [vex('libc.json', undefined, libc.map((f) => st(f.id, 'fixed', [{ '@id': 'pkg:deb/debian/libc6?arch=amd64' }])))], sbom);
  assert.deepEqual(all.filter((f) => f.vex).map((f) => f.id).sort(), libc.map((f) => f.id).sort());
  assert.ok(all.every((f) => f.suppressed === undefined));
});
